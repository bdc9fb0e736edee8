import { useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type Edge,
  type NodeTypes,
} from "@xyflow/react";
import type { PipelineView } from "../../ipc";
import { Button } from "../../components/ui";
import { notify } from "../../components/toast";
import { describeError, toApiError } from "../../ipc";
import { AddStage, WireDialog } from "./AddStage";
import { canWire, knownOutputs, unwire, wireChoices } from "./edits";
import { usePipelineEdit } from "./usePipelineEdit";
import { NODE_HEIGHT, NODE_WIDTH, fallbackPositions, layoutInput, toFlow, type Positions, type StageFlowNode } from "../../graph/build";
import { layoutInWorker } from "../../graph/layout";
import { STATUS_HEX, statusLook } from "../../graph/status";
import { useShortcuts } from "../../components/shortcuts";
import { ErrorBox, Empty } from "../../components/ui";
import { StageNodeView } from "./StageNodeView";
import { StagePanel } from "./StagePanel";
import { LogPanel } from "./LogPanel";
import type { LiveLogs, RunRequest } from "./ProjectView";

const nodeTypes: NodeTypes = { stage: StageNodeView };

export function PipelineTab(props: {
  view: PipelineView;
  logs: LiveLogs;
  running: boolean;
  onRun: (r: RunRequest) => void;
  onCancel: () => void;
  onEdited: () => void;
  fitSignal: number;
}) {
  return (
    <ReactFlowProvider>
      <PipelineCanvas {...props} />
    </ReactFlowProvider>
  );
}

function PipelineCanvas({ view, logs, running, onRun, onCancel, onEdited, fitSignal }: Parameters<typeof PipelineTab>[0]) {
  const [selected, setSelected] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [wiring, setWiring] = useState<{ source: string; target: string; choices: string[] } | null>(null);
  const { edit, undo } = usePipelineEdit(view.project, onEdited);
  // Drag from a stage's right handle onto another stage: its output becomes an input.
  const connect = (c: Connection) => {
    if (!canWire(view, c.source, c.target)) return;
    const choices = wireChoices(view, c.source, c.target);
    if (choices.length === 0) {
      notify("info", `${c.target} already reads every output of ${c.source}`);
    } else if (choices.length === 1) {
      edit({ kind: "add_dep", stage: c.target, path: choices[0]! }).catch((e) => notify("error", describeError(toApiError(e))));
    } else {
      setWiring({ source: c.source, target: c.target, choices });
    }
  };
  // Selected edges deleted with Delete/Backspace: the consumer stops reading those paths.
  const cut = (gone: Edge[]) => {
    const edits = gone.flatMap((g) => {
      const e = view.edges.find((x) => x.source === g.source && x.target === g.target);
      const target = view.stages.find((s) => s.id === g.target);
      return e && target?.editable ? unwire(e) : [];
    });
    if (edits.length) edit(...edits).catch((e) => notify("error", describeError(toApiError(e))));
  };
  const [positions, setPositions] = useState<Positions>(() => fallbackPositions(view));
  const flow = useReactFlow();
  const shapeKey = useMemo(
    () => view.stages.map((s) => s.id).join("|") + "#" + view.edges.map((e) => `${e.source}>${e.target}`).join("|"),
    [view.stages, view.edges],
  );
  const lastShape = useRef("");

  useEffect(() => {
    if (lastShape.current === shapeKey) return;
    lastShape.current = shapeKey;
    let live = true;
    setPositions(fallbackPositions(view));
    layoutInWorker(layoutInput(view))
      .then((p) => {
        if (!live) return;
        setPositions(p);
        requestAnimationFrame(() => void flow.fitView({ padding: 0.12, duration: 250, maxZoom: 1.2, minZoom: 0.6 }));
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
    // The layout depends only on the graph's shape, not on states.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shapeKey]);

  useEffect(() => {
    if (fitSignal) void flow.fitView({ padding: 0.12, duration: 250, maxZoom: 1.2, minZoom: 0.6 });
  }, [fitSignal, flow]);

  useShortcuts({ Escape: () => setSelected(null), "mod+z": () => void undo() });

  // When the canvas changes size (side panel, window): keep the selected stage centred, or
  // the whole graph in view when nothing is selected.
  const canvasRef = useRef<HTMLDivElement>(null);
  const selectedRef = useRef<string | null>(null);
  const positionsRef = useRef(positions);
  useEffect(() => {
    selectedRef.current = selected;
    positionsRef.current = positions;
  });
  useEffect(() => {
    const el = canvasRef.current;
    if (!el) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = [el.clientWidth, el.clientHeight];
    const ro = new ResizeObserver(() => {
      const now = [el.clientWidth, el.clientHeight];
      if (Math.abs(now[0]! - last[0]!) < 8 && Math.abs(now[1]! - last[1]!) < 8) return;
      last = now;
      clearTimeout(timer);
      timer = setTimeout(() => {
        const p = selectedRef.current ? positionsRef.current[selectedRef.current] : undefined;
        if (p) {
          void flow.setCenter(p.x + NODE_WIDTH / 2, p.y + NODE_HEIGHT / 2, {
            zoom: Math.max(flow.getZoom(), 0.75),
            duration: 200,
          });
        } else {
          void flow.fitView({ padding: 0.12, duration: 200, maxZoom: 1.2, minZoom: 0.6 });
        }
      }, 60);
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      clearTimeout(timer);
    };
  }, [flow]);

  const { nodes, edges } = useMemo(() => toFlow(view, positions, selected), [view, positions, selected]);
  const stage = view.stages.find((s) => s.id === selected) ?? null;
  const counts = useMemo(() => new Set(view.stages.map((s) => s.state)), [view.stages]);

  return (
    <div className="pipeline">
      {view.problems.length > 0 && (
        <div className="problems" data-testid="pipeline-problems">
          {view.problems.map((p, i) => (
            <ErrorBox key={i} error={p} />
          ))}
        </div>
      )}
      <div className="pipeline-main">
        <div className="canvas" data-testid="dag" ref={canvasRef}>
          {view.stages.length === 0 ? (
            <Empty icon="graph" title="No pipeline stages">
              <p className="muted">
                {view.problems.length ? "Fix the problem above to see the pipeline." : "This project has no dvc.yaml stages yet."}
              </p>
            </Empty>
          ) : (
            <ReactFlow<StageFlowNode>
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              onNodeClick={(_, n) => setSelected(n.id)}
              onPaneClick={() => setSelected(null)}
              onConnect={connect}
              isValidConnection={(c) => canWire(view, c.source, c.target)}
              onEdgesDelete={cut}
              onBeforeDelete={async ({ edges: gone }) => ({ nodes: [], edges: gone.filter((g) => g.selected) })}
              deleteKeyCode={["Delete", "Backspace"]}
              nodesDraggable={false}
              nodesConnectable
              edgesFocusable
              elementsSelectable
              fitView
              fitViewOptions={{ padding: 0.12, maxZoom: 1.2, minZoom: 0.6 }}
              minZoom={0.2}
              maxZoom={2}
              colorMode="system"
              proOptions={{ hideAttribution: true }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
              <MiniMap
                style={{ width: 150, height: 96 }}
                pannable
                zoomable
                nodeColor={(n) => STATUS_HEX[(n as StageFlowNode).data.stage.state]}
                nodeBorderRadius={8}
                maskColor="var(--minimap-mask)"
              />
              <Controls showInteractive={false} />
            </ReactFlow>
          )}
          <div className="canvas-tools">
            <Button icon="plus" onClick={() => setAdding(true)} testId="add-stage-open" title="Add a stage to dvc.yaml">
              Add stage
            </Button>
          </div>
          <div className="legend">
            {(["up_to_date", "stale", "running", "failed", "frozen"] as const).map((s) => (
              <span key={s} className={`legend-item ${counts.has(s) ? "" : "dim"}`}>
                <span className="dot" style={{ background: statusLook(s).color }} />
                {statusLook(s).label}
              </span>
            ))}
          </div>
        </div>
        {stage && (
          <StagePanel
            key={stage.id}
            project={view.project}
            stage={stage}
            liveLogs={logs[stage.id]}
            running={running}
            onRun={onRun}
            onEdit={edit}
            outputs={knownOutputs(view)}
            onClose={() => setSelected(null)}
          />
        )}
        {adding && <AddStage outputs={knownOutputs(view)} onAdd={(e) => edit(e)} onClose={() => setAdding(false)} />}
        {wiring && (
          <WireDialog
            {...wiring}
            onWire={(path) => edit({ kind: "add_dep", stage: wiring.target, path })}
            onClose={() => setWiring(null)}
          />
        )}
      </div>
      <LogPanel logs={logs} order={view.stages.map((s) => s.id)} running={running} onCancel={onCancel} />
    </div>
  );
}
