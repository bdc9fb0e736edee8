import { useMemo, useState } from "react";
import type { ExperimentsView } from "../../ipc";
import { Button, Modal, SubmitForm } from "../../components/ui";
import { Icon } from "../../components/Icon";
import { evaluate, formatValue, FormulaError, parseFormula, type Derived } from "./formula";

/**
 * Derived columns: a name and a formula over the table's params and metrics
 * (`accuracy / train.epochs`), checked as it is typed against the table and shown with
 * its value in the first rows. Existing ones are listed for removal.
 */
export function DerivedDialog(props: { view: ExperimentsView; derived: Derived[]; onChange: (d: Derived[]) => void; onClose: () => void }) {
  const { view, derived } = props;
  const [name, setName] = useState("");
  const [formula, setFormula] = useState("");
  const check = useMemo(() => {
    if (!formula.trim()) return null;
    try {
      const f = parseFormula(formula, view.columns);
      const sample = view.rows.slice(0, 3).map((r) => {
        const v = evaluate(f, r);
        return `${r.name}: ${v === null ? "—" : formatValue(v)}`;
      });
      return { ok: true as const, sample };
    } catch (e) {
      const at = e instanceof FormulaError ? e.at : 0;
      return { ok: false as const, message: e instanceof Error ? e.message : String(e), at };
    }
  }, [formula, view]);
  const clash = derived.some((d) => d.name === name.trim()) || view.columns.some((c) => c.key === name.trim());
  const can = name.trim() !== "" && !clash && check?.ok === true;
  const add = () => {
    if (!can) return;
    props.onChange([...derived, { name: name.trim(), formula: formula.trim() }]);
    setName("");
    setFormula("");
  };
  const keys = useMemo(() => {
    const seen = new Map<string, number>();
    for (const c of view.columns) if (c.kind !== "series") seen.set(c.key, (seen.get(c.key) ?? 0) + 1);
    return view.columns
      .filter((c) => c.kind !== "series" && !c.stat)
      .map((c) => {
        const plain = /^[A-Za-z_][A-Za-z0-9_.]*$/.test(c.key) && seen.get(c.key) === 1;
        return { label: c.key, insert: plain ? c.key : `[${seen.get(c.key) === 1 ? c.key : `${c.file}:${c.key}`}]`, kind: c.kind };
      });
  }, [view]);

  return (
    <Modal
      title="Derived columns"
      icon="plus"
      onClose={props.onClose}
      testId="derived-dialog"
      footer={
        <>
          <span className="muted small grow">Kept for this project on this machine. + − × ÷ ^, abs, sqrt, log, log10, exp, min, max.</span>
          <Button onClick={props.onClose}>Done</Button>
          <Button kind="primary" onClick={add} disabled={!can} testId="derived-add">
            Add column
          </Button>
        </>
      }
    >
      {derived.length > 0 && (
        <ul className="derived-list" data-testid="derived-list">
          {derived.map((d) => (
            <li key={d.name}>
              <b>{d.name}</b> <span className="mono muted">= {d.formula}</span>
              <button
                className="icon-btn"
                aria-label={`Remove ${d.name}`}
                title="Remove this column"
                onClick={() => props.onChange(derived.filter((x) => x.name !== d.name))}
                data-testid="derived-remove"
              >
                <Icon name="x" size={13} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <SubmitForm className="stage-form" onSubmit={() => add()}>
        <label>
          <span>Name</span>
          <input className="text-input" value={name} onChange={(e) => setName(e.target.value)} placeholder="accuracy per epoch" aria-label="Column name" />
          {clash && <span className="form-error small">A column of that name exists.</span>}
        </label>
        <label>
          <span>Formula</span>
          <input
            className="text-input mono"
            value={formula}
            onChange={(e) => setFormula(e.target.value)}
            placeholder="accuracy / train.epochs"
            aria-label="Formula"
            aria-invalid={check?.ok === false}
            data-testid="derived-formula"
          />
          {check?.ok === false && (
            <span className="form-error small" data-testid="derived-error">
              At character {check.at + 1}: {check.message}
            </span>
          )}
          {check?.ok && (
            <span className="muted small field-help" data-testid="derived-sample">
              {check.sample.join(" · ")}
            </span>
          )}
        </label>
        <button type="submit" hidden />
      </SubmitForm>
      <div className="derived-keys">
        <span className="muted small">Click to insert:</span>
        {keys.map((k) => (
          <button key={`${k.kind}:${k.insert}`} className={`chip derived-key ${k.kind}`} onClick={() => setFormula((f) => `${f}${f && !f.endsWith(" ") ? " " : ""}${k.insert}`)} type="button">
            {k.label}
          </button>
        ))}
      </div>
    </Modal>
  );
}
