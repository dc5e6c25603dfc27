// The product universe: a few hundred real HS 2022 subheadings over 57 chapters, each with a statistical
// unit, a typical unit price and a mass per unit. The typical price anchors each hs6 at a plausible level
// (gold per kg is not steel per kg); the generator then spreads it with hash-based log-normal factors, so
// prices are heavy-tailed across products while every hs6 x origin group stays tight.

export type QuantityUnit = 'KG' | 'NO' | 'L' | 'M2';

export interface Chapter {
  chapter: number;
  /** Industry words used in company names of parties specialised in this chapter. */
  sector: readonly string[];
  importWeight: number;
  exportWeight: number;
  /** Ad valorem duty rates (percent) found in the chapter; each hs6 takes one of them. */
  taxRates: readonly number[];
}

export interface Product {
  hs6: string;
  unit: QuantityUnit;
  /** Typical customs value per unit in USD. */
  price: number;
  /** Kilograms per unit (1 for KG; density for L; grammage for M2; piece weight for NO). */
  kgPerUnit: number;
  description: string;
}

const ch = (
  chapter: number,
  sector: readonly string[],
  importWeight: number,
  exportWeight: number,
  taxRates: readonly number[],
): Chapter => ({ chapter, sector, importWeight, exportWeight, taxRates });

export const CHAPTERS: readonly Chapter[] = [
  ch(2, ['Meats', 'Foods'], 0.4, 1.5, [0, 4.4, 26.4]),
  ch(3, ['Seafood', 'Fisheries', 'Marine Products'], 2, 0.8, [0, 0, 3]),
  ch(4, ['Dairy', 'Foods'], 0.5, 0.5, [3.2, 10, 15]),
  ch(7, ['Produce', 'Farms', 'Agro'], 1, 0.5, [0, 2.8, 6.4]),
  ch(8, ['Fruits', 'Produce', 'Agro'], 1.5, 1.5, [0, 2.2, 3.5]),
  ch(9, ['Coffee', 'Spices', 'Commodities'], 0.7, 0.3, [0, 0, 3]),
  ch(10, ['Grains', 'Commodities'], 0.2, 2, [0, 1.4, 11.2]),
  ch(12, ['Grains', 'Oilseeds'], 0.1, 2, [0, 0]),
  ch(15, ['Oils', 'Foods'], 0.3, 0.3, [0, 3.4, 5]),
  ch(16, ['Foods', 'Seafood'], 0.5, 0.3, [0, 6, 10]),
  ch(17, ['Sugar', 'Confectionery'], 0.3, 0.3, [0, 5.6, 10]),
  ch(18, ['Cocoa', 'Confectionery'], 0.4, 0.3, [0, 4.3, 8.5]),
  ch(19, ['Bakery', 'Foods'], 0.5, 0.4, [0, 4.5, 6.4]),
  ch(20, ['Foods', 'Juices'], 0.6, 0.4, [4.5, 7.9, 11.2]),
  ch(21, ['Foods', 'Ingredients'], 0.6, 1, [6.4, 8.5]),
  ch(22, ['Beverages', 'Wines', 'Spirits'], 1.5, 0.7, [0, 1.6, 6.3]),
  ch(24, ['Tobacco'], 0.1, 0.2, [20.7, 35]),
  ch(25, ['Minerals', 'Building Materials'], 0.2, 0.3, [0]),
  ch(26, ['Mining', 'Resources'], 0.1, 0.3, [0]),
  ch(27, ['Energy', 'Petroleum', 'Fuels'], 1, 5, [0, 0.1, 0.5]),
  ch(28, ['Chemicals', 'Industrial Chemicals'], 0.6, 1, [0, 3.7, 4.2]),
  ch(29, ['Chemicals', 'Fine Chemicals'], 1.2, 3, [3.7, 5.5, 6.5]),
  ch(30, ['Pharmaceuticals', 'Pharma', 'Life Sciences'], 2, 4, [0]),
  ch(32, ['Coatings', 'Paints'], 0.4, 0.5, [3.2, 6.5]),
  ch(33, ['Cosmetics', 'Beauty'], 1, 1, [0, 4.9]),
  ch(34, ['Household Products'], 0.4, 0.5, [0, 3.7]),
  ch(38, ['Chemicals', 'Agrochemicals'], 0.8, 3, [0, 5, 6.5]),
  ch(39, ['Plastics', 'Polymers', 'Packaging'], 4, 5, [3, 5.3, 6.5]),
  ch(40, ['Rubber', 'Tyres'], 1.5, 0.8, [0, 3, 4]),
  ch(42, ['Leather Goods', 'Bags', 'Accessories'], 1.5, 0.3, [6.3, 17.6, 20]),
  ch(44, ['Timber', 'Wood Products', 'Lumber'], 1.2, 1, [0, 3.2, 8]),
  ch(48, ['Paper', 'Packaging'], 1.2, 1.5, [0, 3.2]),
  ch(52, ['Cotton', 'Textiles'], 0.3, 0.6, [4.4, 7, 11.2]),
  ch(54, ['Textiles', 'Fibres'], 0.4, 0.3, [8, 14.9]),
  ch(61, ['Garments', 'Apparel', 'Knitwear'], 5, 0.3, [10.8, 16.5, 28.2, 32]),
  ch(62, ['Apparel', 'Fashions', 'Garments'], 4, 0.3, [10.3, 16.6, 19.7, 27.9]),
  ch(63, ['Home Textiles', 'Textiles'], 2, 0.3, [6.7, 9.1, 12]),
  ch(64, ['Footwear', 'Shoes'], 2.5, 0.3, [8.5, 10, 20, 37.5]),
  ch(69, ['Ceramics', 'Tiles'], 0.8, 0.3, [6, 8.5, 10]),
  ch(70, ['Glass', 'Glassware'], 0.8, 0.5, [4.9, 7.2, 12.5]),
  ch(71, ['Jewelry', 'Precious Metals', 'Gems'], 1.2, 1.5, [0, 4.1, 5.5, 6.5]),
  ch(72, ['Steel', 'Metals', 'Iron & Steel'], 2.5, 1, [0, 25]),
  ch(73, ['Metal Products', 'Steel Products', 'Fabrication'], 4, 2, [0, 2.9, 25]),
  ch(74, ['Copper', 'Metals'], 0.4, 0.8, [1, 3]),
  ch(76, ['Aluminium', 'Metals'], 1.2, 1, [0, 3, 10]),
  ch(82, ['Tools', 'Hardware'], 1, 0.6, [3.7, 6.2, 9]),
  ch(83, ['Hardware', 'Fittings'], 1, 0.5, [3.5, 5.7]),
  ch(84, ['Machinery', 'Industrial Equipment', 'Engineering'], 14, 14, [0, 1.7, 2.5, 3.4, 4]),
  ch(85, ['Electronics', 'Electrical', 'Technologies'], 14, 10, [0, 0, 2.6, 3.9]),
  ch(86, ['Rail Equipment'], 0.2, 0.3, [0, 2.6]),
  ch(87, ['Motors', 'Auto Parts', 'Automotive'], 6, 7, [2.5, 2.5, 25]),
  ch(88, ['Aerospace', 'Aviation'], 0.3, 3, [0]),
  ch(90, ['Medical Devices', 'Instruments', 'Optics'], 3, 5, [0, 2.2, 4.9]),
  ch(91, ['Watches', 'Timepieces'], 0.3, 0.2, [3.9, 6.4]),
  ch(94, ['Furniture', 'Home Furnishings', 'Lighting'], 4, 1, [0, 3.9]),
  ch(95, ['Toys', 'Sports', 'Games'], 3.5, 0.8, [0, 4.6]),
  ch(96, ['Consumer Products', 'Sundries'], 0.8, 0.5, [0, 4, 7.2]),
];

// code|unit|typical USD per unit|kg per unit|description
const PRODUCT_TABLE = `
020130|KG|9.5|1|Fresh or chilled boneless bovine meat
020230|KG|7.2|1|Frozen boneless bovine meat
020329|KG|3.4|1|Frozen swine meat, other cuts
020714|KG|2.1|1|Frozen chicken cuts and offal
030211|KG|8.5|1|Fresh or chilled trout
030214|KG|9.8|1|Fresh or chilled Atlantic salmon
030313|KG|7.5|1|Frozen Atlantic salmon
030342|KG|4.2|1|Frozen yellowfin tuna
030354|KG|1.9|1|Frozen mackerel
030441|KG|13.5|1|Fresh or chilled salmon fillets
030462|KG|3.6|1|Frozen catfish fillets
030487|KG|8.9|1|Frozen tuna fillets
030617|KG|9.2|1|Frozen shrimps and prawns
030632|KG|18|1|Live lobsters
030743|KG|3.1|1|Frozen squid
040210|KG|3.3|1|Milk powder, fat content not over 1.5%
040690|KG|8.4|1|Cheese, other
040900|KG|4.1|1|Natural honey
070200|KG|1.1|1|Tomatoes, fresh or chilled
070310|KG|0.6|1|Onions and shallots, fresh
070960|KG|1.4|1|Peppers of the genus Capsicum, fresh
070993|KG|0.8|1|Pumpkins, squash and gourds, fresh
071410|KG|0.7|1|Cassava roots
080131|KG|1.6|1|Cashew nuts in shell
080132|KG|7.1|1|Cashew nuts, shelled
080212|KG|5.8|1|Almonds, shelled
080390|KG|0.8|1|Bananas, fresh
080440|KG|2.2|1|Avocados, fresh
080450|KG|1.3|1|Mangoes and guavas, fresh
080610|KG|2.4|1|Grapes, fresh
081010|KG|2.9|1|Strawberries, fresh
081040|KG|4.6|1|Cranberries and blueberries, fresh
090111|KG|4.2|1|Coffee, not roasted, not decaffeinated
090121|KG|9.6|1|Coffee, roasted, not decaffeinated
090240|KG|3.5|1|Black tea, fermented
090411|KG|4.8|1|Pepper, neither crushed nor ground
100199|KG|0.3|1|Wheat and meslin, other
100590|KG|0.25|1|Maize, other than seed
100630|KG|0.7|1|Rice, semi-milled or wholly milled
120190|KG|0.5|1|Soya beans, other than seed
150910|L|5.5|0.92|Virgin olive oil
151190|KG|1.1|1|Palm oil, refined
160232|KG|4.3|1|Prepared or preserved chicken
160414|KG|5.1|1|Prepared or preserved tunas
160521|KG|9.4|1|Prepared shrimps and prawns, not in airtight containers
170114|KG|0.5|1|Raw cane sugar
170490|KG|3.2|1|Sugar confectionery, other
180100|KG|3.1|1|Cocoa beans, raw or roasted
180632|KG|6.9|1|Chocolate in blocks or bars, not filled
180690|KG|6.2|1|Chocolate and cocoa food preparations, other
190219|KG|1.7|1|Uncooked pasta, not containing eggs
190590|KG|4.4|1|Bread, pastry, cakes and biscuits, other
200570|KG|2.6|1|Olives, prepared or preserved
200819|KG|6.4|1|Nuts and seeds prepared or preserved, other
200919|L|0.9|1.05|Orange juice, other
200980|L|1.6|1.05|Juice of any other single fruit or vegetable
210390|KG|2.8|1|Sauces and condiments, other
210690|KG|6.5|1|Food preparations not elsewhere specified
220210|L|0.9|1.05|Waters with added sugar or flavour
220300|L|1.3|1.01|Beer made from malt
220421|L|6.8|1|Wine in containers of 2 litres or less
220830|L|18|0.95|Whiskies
220860|L|9.5|0.95|Vodka
220890|L|14|0.95|Spirits, other (tequila, liqueurs)
240120|KG|6.5|1|Tobacco, partly or wholly stemmed
240220|NO|28|0.2|Cigarettes containing tobacco (carton)
252329|KG|0.09|1|Portland cement, other than white
260111|KG|0.11|1|Iron ores, non-agglomerated
260300|KG|2.2|1|Copper ores and concentrates
270112|KG|0.12|1|Bituminous coal
270900|L|0.45|0.86|Crude petroleum oils
271012|L|0.62|0.74|Light petroleum oils (gasoline)
271019|L|0.68|0.85|Medium and heavy petroleum oils (diesel, fuel oil)
271111|KG|0.55|1|Liquefied natural gas
271121|KG|0.35|1|Natural gas in gaseous state
280469|KG|2.4|1|Silicon, other
281511|KG|0.45|1|Sodium hydroxide, solid
281820|KG|0.8|1|Aluminium oxide
290243|KG|1.1|1|p-Xylene
290511|KG|0.45|1|Methanol
293390|KG|85|1|Heterocyclic compounds with nitrogen hetero-atoms, other
293499|KG|120|1|Nucleic acids and other heterocyclic compounds
300212|KG|2400|1|Antisera and other blood fractions
300215|KG|1800|1|Immunological products, put up in measured doses
300290|KG|950|1|Human and animal blood preparations, toxins, other
300420|KG|220|1|Medicaments containing antibiotics, in doses
300490|KG|380|1|Medicaments in measured doses, other
320890|L|7.5|1.3|Paints and varnishes based on polymers, other
321511|KG|6.2|1|Printing ink, black
330300|L|95|0.9|Perfumes and toilet waters
330499|KG|32|1|Beauty, make-up and skin-care preparations, other
330510|KG|4.6|1|Shampoos
340111|KG|3.1|1|Soap for toilet use, in bars
340220|KG|2.2|1|Washing and cleaning preparations, put up for retail sale
380893|KG|6.8|1|Herbicides
382200|KG|260|1|Diagnostic or laboratory reagents
382499|KG|3.5|1|Chemical products and preparations not elsewhere specified
390110|KG|1.3|1|Polyethylene, specific gravity below 0.94
390760|KG|1.2|1|Polyethylene terephthalate
392010|KG|2.8|1|Plates and sheets of polymers of ethylene
392321|KG|2.6|1|Sacks and bags of polymers of ethylene
392390|KG|4.1|1|Plastic articles for the conveyance or packing of goods, other
392690|KG|7.5|1|Articles of plastics, other
400122|KG|1.7|1|Technically specified natural rubber
401110|NO|62|9|New pneumatic tyres for motor cars
401120|NO|240|55|New pneumatic tyres for buses or lorries
401519|KG|4.2|1|Rubber gloves, other than surgical
420212|NO|28|3.5|Trunks and suitcases with outer surface of plastics
420221|NO|95|0.9|Handbags with outer surface of leather
420222|NO|14|0.5|Handbags with outer surface of plastic sheeting or textile
420292|NO|11|0.6|Travel and sports bags of plastic or textile
440711|KG|0.35|1|Sawn pine wood, thicker than 6 mm
441114|M2|4.8|12|Medium density fibreboard, thicker than 9 mm
441239|M2|7.5|8|Plywood, other, with outer plies of coniferous wood
441875|M2|16|11|Assembled flooring panels, multilayer, other
480100|KG|0.6|1|Newsprint in rolls or sheets
481820|KG|2.9|1|Handkerchiefs, cleansing or facial tissues
481910|KG|1.6|1|Cartons and boxes of corrugated paper
482010|KG|3.8|1|Registers, notebooks, diaries
520100|KG|1.8|1|Cotton, not carded or combed
520512|KG|3.2|1|Single cotton yarn, uncombed fibres
520812|M2|1.1|0.14|Woven cotton fabrics, plain weave, unbleached
540233|KG|2.3|1|Textured yarn of polyesters
540752|M2|1.4|0.12|Woven fabrics of textured polyester filaments, dyed
610342|NO|8.5|0.45|Men's trousers of cotton, knitted
610462|NO|7.9|0.4|Women's trousers of cotton, knitted
610510|NO|7.2|0.25|Men's shirts of cotton, knitted
610610|NO|6.4|0.2|Women's blouses and shirts of cotton, knitted
610821|NO|1.6|0.05|Women's briefs and panties of cotton
610910|NO|3.1|0.18|T-shirts and vests of cotton, knitted
610990|NO|3.6|0.16|T-shirts of other textile materials
611020|NO|9.8|0.45|Jerseys and pullovers of cotton
611030|NO|8.7|0.4|Jerseys and pullovers of man-made fibres
611120|NO|3.9|0.12|Babies' garments of cotton
611241|NO|7.5|0.15|Women's swimwear of synthetic fibres
611595|NO|0.9|0.06|Socks of cotton
620342|NO|11.5|0.6|Men's trousers and shorts of cotton
620343|NO|12.5|0.5|Men's trousers and shorts of synthetic fibres
620462|NO|10.8|0.5|Women's trousers and shorts of cotton
620520|NO|9.6|0.3|Men's shirts of cotton
620630|NO|8.9|0.25|Women's blouses and shirts of cotton
621210|NO|4.2|0.08|Brassieres
630231|KG|7.8|1|Bed linen of cotton, other
630260|KG|6.1|1|Toilet and kitchen linen of terry cotton
630533|KG|2.3|1|Sacks and bags of polyethylene strip
630790|KG|9.5|1|Made-up textile articles, other
640299|NO|7.5|0.6|Footwear with outer soles and uppers of rubber or plastics, other
640399|NO|24|0.9|Footwear with leather uppers, other
640411|NO|18|0.7|Sports footwear with textile uppers
640419|NO|9.5|0.6|Footwear with textile uppers, other
690721|M2|9.8|21|Ceramic tiles, water absorption not over 0.5%
691110|KG|4.5|1|Porcelain tableware and kitchenware
691200|KG|2.9|1|Ceramic tableware and kitchenware, other
700721|M2|38|25|Laminated safety glass for vehicles
700992|KG|3.4|1|Glass mirrors, framed
701349|KG|3.1|1|Glassware for table or kitchen purposes, other
710239|KG|3500000|1|Diamonds, non-industrial, worked
710691|KG|760|1|Silver, unwrought
710812|KG|61000|1|Gold, non-monetary, unwrought
710813|KG|59000|1|Gold, non-monetary, semi-manufactured
711311|KG|1400|1|Articles of jewellery of silver
711319|KG|28000|1|Articles of jewellery of other precious metal
711719|KG|45|1|Imitation jewellery of base metal
720211|KG|1.3|1|Ferro-manganese, more than 2% carbon
720449|KG|0.38|1|Ferrous waste and scrap, other
720712|KG|0.55|1|Semi-finished products of iron, rectangular cross-section
720839|KG|0.82|1|Hot-rolled flat iron or steel, in coils, less than 3 mm
720851|KG|0.95|1|Hot-rolled flat iron or steel, not in coils, over 10 mm
720915|KG|0.98|1|Cold-rolled flat iron or steel, 3 mm or more
720917|KG|1.02|1|Cold-rolled flat iron or steel, 0.5 mm to 1 mm
721049|KG|1.15|1|Flat-rolled steel, zinc coated, other
721070|KG|1.25|1|Flat-rolled steel, painted, varnished or plastic-coated
721391|KG|0.78|1|Wire rod of iron or steel, under 14 mm
721420|KG|0.72|1|Concrete reinforcing bars of iron or steel
721499|KG|0.9|1|Bars and rods of iron or steel, hot-rolled, other
721934|KG|3.1|1|Cold-rolled flat stainless steel, 0.5 mm to 1 mm
730419|KG|1.9|1|Line pipe for oil or gas pipelines, seamless, other
730630|KG|1.3|1|Welded tubes of iron or steel, circular cross-section
730661|KG|1.4|1|Welded tubes of square or rectangular cross-section
730890|KG|2.6|1|Structures and parts of structures of iron or steel, other
731210|KG|2.4|1|Stranded wire and ropes of iron or steel
731700|KG|1.5|1|Nails, tacks and staples of iron or steel
731815|KG|3.3|1|Threaded screws and bolts of iron or steel
731816|KG|3.0|1|Nuts of iron or steel
732111|NO|210|35|Cooking appliances for gas fuel, of iron or steel
732393|KG|5.6|1|Table and kitchen articles of stainless steel
732690|KG|4.4|1|Articles of iron or steel, other
740311|KG|8.6|1|Refined copper cathodes
740819|KG|9.8|1|Wire of refined copper, other
760110|KG|2.5|1|Aluminium, not alloyed, unwrought
760120|KG|2.7|1|Aluminium alloys, unwrought
760429|KG|4.1|1|Bars, rods and profiles of aluminium alloys
760612|KG|3.9|1|Plates and sheets of aluminium alloys
761010|KG|7.5|1|Doors, windows and frames of aluminium
820420|KG|11|1|Interchangeable socket wrenches
820551|KG|6.4|1|Household hand tools
820713|KG|48|1|Rock drilling tools with working part of cermets
830140|KG|12|1|Locks of base metal, other
830230|KG|6.8|1|Base metal mountings for motor vehicles
830242|KG|5.4|1|Base metal mountings for furniture
840734|NO|2600|160|Spark-ignition engines over 1000 cc for vehicles
840820|NO|5400|420|Compression-ignition engines for vehicles
840991|KG|14|1|Parts for spark-ignition engines
841191|KG|310|1|Parts of turbojets or turbopropellers
841370|NO|420|38|Centrifugal pumps, other
841430|NO|95|9|Compressors for refrigerating equipment
841451|NO|17|3.5|Table, floor, wall or roof fans
841510|NO|260|32|Window or wall air conditioning machines
841810|NO|560|70|Combined refrigerator-freezers
842139|NO|180|12|Machinery for filtering or purifying gases, other
842199|KG|24|1|Parts of filtering or purifying machinery
842211|NO|320|45|Dishwashing machines, household
842710|NO|21000|3200|Self-propelled electric fork-lift trucks
842952|NO|145000|21000|Excavators with 360 degree revolving superstructure
843149|KG|6.5|1|Parts of cranes and excavators
844331|NO|210|14|Multifunction printers
845011|NO|380|65|Household washing machines, fully automatic
846721|NO|38|2.2|Electric drills, hand-held
847130|NO|640|2.1|Portable digital computers, under 10 kg
847141|NO|1150|8|Data-processing machines with CPU and I/O in one housing
847150|NO|2300|15|Processing units, other
847160|NO|55|0.9|Input or output units
847170|NO|140|0.4|Storage units
847330|KG|95|1|Parts and accessories of computers
847989|NO|8800|650|Machines with individual functions, other
848180|NO|48|2.5|Taps, cocks and valves, other
848210|NO|2.9|0.15|Ball bearings
848340|NO|85|6|Gears and gearing, ball or roller screws
848620|NO|380000|5200|Machines for the manufacture of semiconductor devices
850431|NO|14|0.7|Transformers not over 1 kVA
850440|NO|36|0.9|Static converters
850760|NO|85|2.1|Lithium-ion accumulators
851610|NO|180|18|Electric water heaters
851660|NO|95|9|Ovens, cookers, hot plates and grillers
851671|NO|38|2.6|Coffee or tea makers
851713|NO|410|0.35|Smartphones
851762|NO|120|0.8|Machines for reception and transmission of data
851779|KG|140|1|Parts of telephone sets and network apparatus
851830|NO|21|0.2|Headphones and earphones
852351|NO|24|0.05|Solid-state non-volatile storage devices
852589|NO|180|0.6|Television and digital cameras, other
852872|NO|310|14|Colour television receivers
853650|NO|2.6|0.08|Switches for a voltage not over 1000 V, other
853710|NO|680|18|Boards and panels for electric control, not over 1000 V
854143|NO|125|21|Photovoltaic cells assembled in modules
854231|NO|38|0.005|Processors and controllers, electronic integrated circuits
854232|NO|6.5|0.003|Memories, electronic integrated circuits
854239|NO|2.9|0.002|Electronic integrated circuits, other
854370|NO|190|4|Electrical machines with individual functions, other
854442|KG|16|1|Electric conductors fitted with connectors, not over 1000 V
854449|KG|9.5|1|Electric conductors not over 1000 V, other
860729|KG|9.5|1|Brakes and parts for railway vehicles
860900|NO|3800|2300|Containers for carriage by one or more modes of transport
870323|NO|27000|1450|Motor cars, spark-ignition, 1500 cc to 3000 cc
870324|NO|41000|1900|Motor cars, spark-ignition, over 3000 cc
870340|NO|31000|1650|Motor cars, hybrid, spark-ignition and electric, not plug-in
870380|NO|39000|2000|Motor cars with only electric motor for propulsion
870421|NO|29000|2200|Motor vehicles for goods, diesel, gross weight not over 5 t
870829|KG|8.5|1|Parts and accessories of bodies of motor vehicles
870830|KG|7.9|1|Brakes and servo-brakes and parts
870840|KG|11.5|1|Gear boxes and parts
870870|KG|6.9|1|Road wheels and parts and accessories
870899|KG|9.2|1|Parts and accessories of motor vehicles, other
871120|NO|2100|130|Motorcycles, 50 cc to 250 cc
871160|NO|950|24|Motorcycles and cycles with electric motor
871200|NO|130|14|Bicycles, not motorised
880240|NO|52000000|45000|Aeroplanes, unladen weight over 15,000 kg
880730|KG|420|1|Parts of aeroplanes and helicopters, other
900490|NO|2.8|0.04|Spectacles and goggles, other
901819|NO|2400|12|Electro-diagnostic apparatus, other
901839|NO|1.2|0.01|Needles, catheters, cannulae
901890|NO|140|1.2|Medical, surgical instruments and appliances, other
902139|KG|850|1|Artificial parts of the body, other
903289|NO|260|2.5|Automatic regulating or controlling instruments, other
910211|NO|38|0.1|Wrist-watches, mechanical display only
910212|NO|9|0.06|Wrist-watches, opto-electronic display only
940161|NO|260|28|Upholstered seats with wooden frames
940171|NO|190|22|Upholstered seats with metal frames
940320|NO|85|15|Metal furniture, other
940350|NO|210|45|Wooden furniture for bedrooms
940360|NO|120|22|Wooden furniture, other
940490|KG|6.4|1|Articles of bedding, other
940542|NO|24|1.6|Luminaires and lighting fittings for LED light sources, other
950300|NO|6.8|0.5|Toys: tricycles, dolls, puzzles and similar
950450|NO|240|3.2|Video game consoles and machines
950490|NO|9.5|0.7|Table and parlour games, other
950510|KG|5.1|1|Articles for Christmas festivities
950662|NO|5.5|0.4|Inflatable balls
950691|KG|4.6|1|Articles for general physical exercise
960321|NO|0.35|0.02|Toothbrushes
960810|NO|0.12|0.01|Ball-point pens
961700|NO|6.5|0.4|Vacuum flasks and other vacuum vessels
961900|KG|3.4|1|Sanitary towels, napkins and diapers
`;

export const PRODUCTS: readonly Product[] = PRODUCT_TABLE.trim()
  .split('\n')
  .map((line) => {
    const [hs6, unit, price, kgPerUnit, description] = line.split('|');
    if (!hs6 || !unit || !price || !kgPerUnit || !description || !/^\d{6}$/.test(hs6)) {
      throw new Error(`hs-catalog: malformed product line: ${line}`);
    }
    return { hs6, unit: unit as QuantityUnit, price: Number(price), kgPerUnit: Number(kgPerUnit), description };
  });
