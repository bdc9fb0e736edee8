import { useState } from "react";
import type { RevImagesView } from "../../ipc";
import { Button, Modal } from "../../components/ui";

/**
 * The charted rows' image plots (a confusion matrix, DVCLive's logged images) side by
 * side: one strip per image path, one picture per row in the rows' colours. A picture
 * opens large with the same image of the other rows.
 */
export function PlotImages(props: { images: RevImagesView[]; labelOf: (rev: string) => string; colourOf: Record<string, string> }) {
  const { images, labelOf, colourOf } = props;
  const [open, setOpen] = useState<string | null>(null);
  const paths = [...new Set(images.flatMap((r) => r.images.map((i) => i.path)))];
  if (paths.length === 0) return null;
  const strip = (path: string, large: boolean) =>
    images.map((r) => {
      const img = r.images.find((i) => i.path === path);
      return (
        <figure key={r.rev} className={`plot-image ${large ? "large" : ""}`} data-testid="plot-image" data-rev={r.rev} data-path={path}>
          {img?.url ? (
            <img src={img.url} alt={`${path} of ${labelOf(r.rev)}`} onClick={() => setOpen(path)} />
          ) : (
            <div className="plot-image-missing muted small">{img?.error ?? "not in this row"}</div>
          )}
          <figcaption>
            <span className="swatch" style={{ background: colourOf[r.rev] ?? "#888" }} />
            {labelOf(r.rev)}
          </figcaption>
        </figure>
      );
    });
  return (
    <div className="exp-images" data-testid="exp-images">
      <div className="exp-charts-head">
        <h2>Images</h2>
        <span className="muted small">image plots of the ticked rows; click one to enlarge</span>
      </div>
      {paths.map((path) => (
        <div key={path} className="plot-image-row">
          <div className="mono small plot-image-path">{path}</div>
          <div className="plot-image-strip">{strip(path, false)}</div>
        </div>
      ))}
      {open && (
        <Modal title={open} icon="graph" wide onClose={() => setOpen(null)} testId="plot-image-dialog" footer={<Button onClick={() => setOpen(null)}>Close</Button>}>
          <div className="plot-image-strip large">{strip(open, true)}</div>
        </Modal>
      )}
    </div>
  );
}
