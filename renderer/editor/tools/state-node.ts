// Tools as state nodes (after tldraw): a tool is a node with child states; events go to
// the deepest active state and bubble up to its parents until one handles them.
import type { Point } from '../geometry.ts';
import type { ToolHost } from './tool-host.ts';

export interface ToolPointer {
  /** canvas (document) coordinates */
  canvas: Point;
  /** stage (CSS pixel) coordinates */
  screen: Point;
  button: number;
  shiftKey: boolean;
  altKey: boolean;
  modKey: boolean;
  /** pen pressure 0..1, only where the device reports it (not for a mouse) */
  pressure?: number;
}

export type ToolEvent = 'onPointerDown' | 'onPointerMove' | 'onPointerUp' | 'onCancel' | 'onCommit';

export abstract class StateNode {
  abstract readonly id: string;
  readonly children: Record<string, StateNode> = {};
  current: StateNode | null = null;
  /** child entered with this node */
  initial: string | null = null;

  constructor(
    readonly host: ToolHost,
    readonly parent: StateNode | null = null,
  ) {}

  onEnter?(info?: unknown): void;
  onExit?(): void;
  onPointerDown?(p: ToolPointer): boolean | void;
  onPointerMove?(p: ToolPointer): boolean | void;
  onPointerUp?(p: ToolPointer): boolean | void;
  /** Escape, tool switch, blur: abandon what is in progress. */
  onCancel?(): boolean | void;
  /** Enter: apply what is pending (free transform, crop). */
  onCommit?(): boolean | void;
  /** A temporary pan (Space or the middle button) takes over and will hand back: a tool
   * that keeps what is pending through it says so by returning true (else it is cancelled). */
  onPause?(): boolean;

  addChild(node: StateNode): this {
    this.children[node.id] = node;
    return this;
  }

  enter(info?: unknown): void {
    this.onEnter?.(info);
    if (this.initial) this.transition(this.initial);
  }

  exit(): void {
    this.current?.exit();
    this.current = null;
    this.onExit?.();
  }

  transition(id: string, info?: unknown): void {
    const next = this.children[id];
    if (!next) throw new Error(`${this.id} has no state "${id}"`);
    this.current?.exit();
    this.current = next;
    next.enter(info);
    this.host.toolPathChanged();
  }

  /** A gesture state's way out: drop its preview, back to the tool's idle state. */
  protected backToIdle(): void {
    this.host.setPreview(null);
    this.parent!.transition('idle');
  }

  /** Deepest active node. */
  leaf(): StateNode {
    return this.current ? this.current.leaf() : this;
  }

  /** "region.drawing" style path below this node (excluding this node's own id). */
  path(): string {
    const parts: string[] = [];
    for (let n = this.current; n; n = n.current) parts.push(n.id);
    return parts.join('.');
  }

  /** Send an event to the deepest active state; it bubbles until a handler returns non-false.
   * True when one handled it. */
  dispatch(event: ToolEvent, p?: ToolPointer): boolean {
    for (let n: StateNode | null = this.leaf(); n; n = n.parent) {
      const h = n[event] as ((p?: ToolPointer) => boolean | void) | undefined;
      if (h && h.call(n, p) !== false) return true;
      if (n === this) return false;
    }
    return false;
  }
}

type StateClass = new (host: ToolHost, parent: StateNode) => StateNode;

/** A tool: a node built with its child states; the first one is entered with the tool. */
export abstract class ToolNode extends StateNode {
  constructor(host: ToolHost, parent: StateNode, states: readonly StateClass[]) {
    super(host, parent);
    for (const State of states) this.addChild(new State(host, this));
    this.initial = this.children[Object.keys(this.children)[0]].id;
  }
}
