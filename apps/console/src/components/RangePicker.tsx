/** The one time-range picker: a relative range, or an absolute from/to; both live in the URL. */
import { useState, type ReactNode } from 'react';
import { DEFAULT_RANGE, RANGES } from '../shape/time';

const toLocalInput = (iso: string | undefined): string => {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function RangePicker(props: { params: Record<string, string>; setParams: (c: Record<string, string | undefined>) => void }): ReactNode {
  const absolute = !!(props.params.from && props.params.to);
  const [from, setFrom] = useState(toLocalInput(props.params.from));
  const [to, setTo] = useState(toLocalInput(props.params.to));
  const [open, setOpen] = useState(false);
  return (
    <div className="range">
      <label htmlFor="range-select">Time range</label>
      <select
        id="range-select"
        value={absolute ? 'custom' : (props.params.range ?? DEFAULT_RANGE)}
        onChange={(e) => {
          if (e.target.value === 'custom') setOpen(true);
          else props.setParams({ range: e.target.value, from: undefined, to: undefined });
        }}
      >
        {RANGES.map((r) => (
          <option key={r} value={r}>
            Last {r}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {(open || absolute) && (
        <form
          className="range-custom"
          onSubmit={(e) => {
            e.preventDefault();
            const f = Date.parse(from);
            const t = Date.parse(to);
            if (Number.isFinite(f) && Number.isFinite(t) && f < t) {
              props.setParams({ from: new Date(f).toISOString(), to: new Date(t).toISOString(), range: undefined });
              setOpen(false);
            }
          }}
        >
          <label>
            From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required />
          </label>
          <label>
            To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required />
          </label>
          <button type="submit">Apply</button>
        </form>
      )}
    </div>
  );
}
