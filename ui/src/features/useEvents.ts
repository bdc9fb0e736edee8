import { useEffect, useRef } from "react";
import { onEvent, type ApiEvent } from "../ipc";

/** Calls `handler` for every engine event while mounted (latest handler wins). */
export function useEvents(handler: (e: ApiEvent) => void): void {
  const ref = useRef(handler);
  useEffect(() => {
    ref.current = handler;
  });
  useEffect(() => onEvent((e) => ref.current(e)), []);
}
