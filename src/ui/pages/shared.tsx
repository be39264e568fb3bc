/** What several pages show the same way: next run of a routine, trigger badges, the company's agents and projects. */
import type { Agent, Project, RoutineListItem, Trigger } from "../api";
import { enc } from "../api";
import { Time } from "../components";
import { inZone } from "../format";
import { useApi } from "../hooks";

type TriggerLike = Pick<Trigger, "kind" | "enabled" | "nextRunAt" | "timezone" | "label">;

/** Why a routine does not fire on a schedule, or undefined when it does. */
export function notFiringReason(status: string, triggers: TriggerLike[]): string | undefined {
  if (status === "archived") return "archived";
  if (status === "paused") return "paused";
  const schedules = triggers.filter((t) => t.kind === "schedule");
  if (schedules.length === 0) return "no schedule";
  if (!schedules.some((t) => t.enabled)) return "schedule disabled";
  return undefined;
}

/** The next scheduled fire: the earliest next run of the enabled schedule triggers of an active routine. */
export function NextRun({ status, triggers }: { status: string; triggers: TriggerLike[] }) {
  const reason = notFiringReason(status, triggers);
  if (reason) return <span class="muted no-next">No next run ({reason})</span>;
  const next = triggers
    .filter((t) => t.kind === "schedule" && t.enabled && t.nextRunAt)
    .sort((a, b) => a.nextRunAt!.localeCompare(b.nextRunAt!))[0];
  if (!next) return <span class="muted no-next">No next run</span>;
  return (
    <span class="next-run">
      <Time iso={next.nextRunAt} />
      {next.timezone ? (
        <span class="zone">
          {" "}
          · {inZone(next.nextRunAt!, next.timezone)} in {next.timezone}
        </span>
      ) : null}
    </span>
  );
}

export function TriggerBadges({ triggers }: { triggers: RoutineListItem["triggers"] }) {
  if (triggers.length === 0) return <span class="muted">none</span>;
  return (
    <span class="badges">
      {triggers.map((t) => (
        <span key={t.id} class={`badge trigger-badge ${t.enabled ? "" : "badge-disabled"}`} title={t.enabled ? "enabled" : "disabled"}>
          {t.kind}
          {t.label ? `: ${t.label}` : ""}
          {t.enabled ? "" : " (off)"}
        </span>
      ))}
    </span>
  );
}

export function useCompanyLists(companyId: string) {
  const agents = useApi<Agent[]>(`/companies/${enc(companyId)}/agents`);
  const projects = useApi<Project[]>(`/companies/${enc(companyId)}/projects`);
  return { agents, projects };
}

/** Who did something: the board, an agent by name (a link to it), or routined itself. */
export function ActorName(props: { type: string; agentId: string | null; userId?: string | null; agents: Agent[] | undefined; companyId: string }) {
  if (props.type === "agent" && props.agentId) {
    const agent = props.agents?.find((a) => a.id === props.agentId);
    return <a href={`/c/${props.companyId}/agents/${props.agentId}`}>{agent?.name ?? `agent ${props.agentId.slice(0, 8)}`}</a>;
  }
  if (props.type === "user") return <>{props.userId && props.userId !== "board" ? props.userId : "board"}</>;
  return <>routined</>;
}
