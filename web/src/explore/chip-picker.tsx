/**
 * An ordered multi-choice: the chosen items as removable chips, and a select to add one more. Order
 * matters (dimensions group in the order chosen), which a plain multi-select cannot express.
 */
export interface PickOption {
  id: string;
  label: string;
}

export function ChipPicker(p: { label: string; options: readonly PickOption[]; selected: readonly string[]; onChange: (ids: string[]) => void; testId?: string }) {
  const byId = new Map(p.options.map((o) => [o.id, o]));
  const left = p.options.filter((o) => !p.selected.includes(o.id));
  return (
    <fieldset className="grow" data-testid={p.testId}>
      <legend>{p.label}</legend>
      <div className="chips">
        {p.selected.map((id) => (
          <span className="chip" key={id}>
            {byId.get(id)?.label ?? id}
            <button type="button" aria-label={`Remove ${byId.get(id)?.label ?? id}`} onClick={() => p.onChange(p.selected.filter((x) => x !== id))}>
              ×
            </button>
          </span>
        ))}
        <select
          aria-label={`Add to ${p.label.toLowerCase()}`}
          value=""
          onChange={(e) => {
            if (e.target.value) p.onChange([...p.selected, e.target.value]);
          }}
        >
          <option value="">Add…</option>
          {left.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
    </fieldset>
  );
}
