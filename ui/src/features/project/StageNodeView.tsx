import { memo } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import type { StageFlowNode } from "../../graph/build";
import { statusLook } from "../../graph/status";
import { Icon } from "../../components/Icon";
import { isGroupNode } from "../../graph/groups";

function StageNodeViewImpl({ data }: NodeProps<StageFlowNode>) {
  const { stage } = data;
  const look = statusLook(stage.state);
  const detail = stage.reasons[0] ?? (stage.isDataSource ? stage.id.replace(/\.dvc$/, "") : (stage.cmd[0] ?? ""));
  const name = stage.isDataSource ? (stage.id.replace(/\.dvc$/, "").split("/").pop() ?? stage.name) : stage.name;
  return (
    <div
      className={`stage-node state-${stage.state} ${data.selected ? "selected" : ""} ${stage.isDataSource ? "data-source" : ""} ${isGroupNode(stage.id) ? "group-node" : ""}`}
      style={{ ["--c" as string]: look.color }}
      data-testid={`stage-node-${stage.id}`}
      data-state={stage.state}
      title={isGroupNode(stage.id) ? "Click to show every stage of this group" : stage.reasons.join("\n") || stage.cmd.join("\n")}
    >
      <Handle type="target" position={Position.Left} isConnectable={stage.editable} />
      <div className="sn-head">
        {stage.isDataSource ? <Icon name="database" size={14} /> : <span className="sn-dot" />}
        <span className="sn-name truncate">{name}</span>
        <span className="sn-state">{look.label}</span>
      </div>
      <div className={`sn-detail truncate ${stage.reasons[0] ? "" : "mono"}`}>{detail}</div>
      {stage.state === "running" && <div className="sn-progress" />}
      <Handle type="source" position={Position.Right} isConnectable={stage.outs.length > 0} title="Drag onto a stage to feed it this output" />
    </div>
  );
}

export const StageNodeView = memo(StageNodeViewImpl);
