import { Button, Modal } from "../components/ui";

const KEYS: [string, string][] = [
  ["R", "Run all stale stages"],
  ["Shift R", "Force-run the whole pipeline"],
  ["Ctrl .", "Cancel the run"],
  ["F", "Fit the graph to the view"],
  ["L", "Show only the selected stage's lineage (again: everything)"],
  ["Ctrl Z", "Undo the last pipeline edit"],
  ["Delete", "Cut the selected wire (the stage stops reading that output)"],
  ["1 2 3 4", "Pipeline, Experiments, Data, Runs tabs"],
  ["Esc", "Close the side panel or dialog"],
  ["/", "Search projects"],
  ["H", "Back to projects"],
  ["?", "Show this list"],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" icon="keyboard" onClose={onClose} footer={<Button kind="primary" onClick={onClose}>Done</Button>}>
      <table className="keys">
        <tbody>
          {KEYS.map(([k, what]) => (
            <tr key={k}>
              <td>
                {k.split(" ").map((part) => (
                  <kbd key={part}>{part}</kbd>
                ))}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
