// Ports of entry come from the project's own reference file (reference/ports.csv), so every generated
// port_code resolves to a field office when the data is loaded back. The file says where a port is; the
// tables below say how busy it is and what arrives there, which the reference does not carry.
import { fileURLToPath } from 'node:url';

export type PortClass = 'sea' | 'air' | 'land-mx' | 'land-ca';

export interface PortProfile {
  cls: PortClass;
  weight: number;
}

/** Known US ports: relative traffic (lines) and the kind of traffic. Unlisted US ports get a small sea share. */
export const PORT_PROFILES: Readonly<Record<string, PortProfile>> = {
  USLAX: { cls: 'sea', weight: 16 },
  USLGB: { cls: 'sea', weight: 15 },
  USNYC: { cls: 'sea', weight: 9 },
  USEWR: { cls: 'sea', weight: 5 },
  USSAV: { cls: 'sea', weight: 7 },
  USHOU: { cls: 'sea', weight: 6 },
  USCHS: { cls: 'sea', weight: 3 },
  USORF: { cls: 'sea', weight: 3 },
  USBAL: { cls: 'sea', weight: 2.5 },
  USSEA: { cls: 'sea', weight: 2.5 },
  USTIW: { cls: 'sea', weight: 2 },
  USOAK: { cls: 'sea', weight: 2.5 },
  USMIA: { cls: 'sea', weight: 2 },
  USPEF: { cls: 'sea', weight: 1.5 },
  USMSY: { cls: 'sea', weight: 1.2 },
  USBOS: { cls: 'sea', weight: 1 },
  USPDX: { cls: 'sea', weight: 0.8 },
  USTPA: { cls: 'sea', weight: 0.6 },
  USSAN: { cls: 'sea', weight: 0.6 },
  USSFO: { cls: 'sea', weight: 0.5 },
  USSJU: { cls: 'sea', weight: 0.4 },
  USJFK: { cls: 'air', weight: 6 },
  USCHI: { cls: 'air', weight: 2 },
  USATL: { cls: 'air', weight: 2 },
  USLRD: { cls: 'land-mx', weight: 10 },
  USELP: { cls: 'land-mx', weight: 4 },
  USOTM: { cls: 'land-mx', weight: 3 },
  USNOG: { cls: 'land-mx', weight: 2.5 },
  USDET: { cls: 'land-ca', weight: 6 },
  USBUF: { cls: 'land-ca', weight: 4 },
};

export const UNKNOWN_PORT_PROFILE: PortProfile = { cls: 'sea', weight: 0.3 };

/**
 * Sea freight lands nearer its origin: ports whose reference `region` is listed here get their weight
 * multiplied for shipments from that part of the world (trans-Pacific to the West Coast, and so on).
 */
export const SEA_REGION_AFFINITY: Readonly<Record<string, readonly string[]>> = {
  asia: ['West Coast', 'Northwest'],
  oceania: ['West Coast', 'Northwest'],
  europe: ['Northeast', 'Mid-Atlantic', 'Southeast'],
  africa: ['Northeast', 'Mid-Atlantic', 'Southeast'],
  mideast: ['Northeast', 'Mid-Atlantic', 'Gulf'],
  americas: ['Gulf', 'Southeast', 'Caribbean'],
};
export const SEA_REGION_FACTOR = 3;

export function defaultPortsFile(): string {
  return fileURLToPath(new URL('../../reference/ports.csv', import.meta.url));
}
