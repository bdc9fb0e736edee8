import { useEffect, useMemo, useRef, useState } from "react";
import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type NodeTypes,
} from "@xyflow/react";
import type { PipelineView } from "../../ipc";
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
  fitSignal: number;
}) {
  return (
    <ReactFlowProvider>
      <PipelineCanvas {...props} />
    </ReactFlowProvider>
  );
}

function PipelineCanvas({ view, logs, running, onRun, onCancel, fitSignal }: Parameters<typeof PipelineTab>[0]) {
  const [selected, setSelected] = useState<string | null>(null);
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

  useShortcuts({ Escape: () => setSelected(null) });

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
              nodesDraggable={false}
              nodesConnectable={false}
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
            onClose={() => setSelected(null)}
          />
        )}
      </div>
      <LogPanel logs={logs} order={view.stages.map((s) => s.id)} running={running} onCancel={onCancel} />
    </div>
  );
}
