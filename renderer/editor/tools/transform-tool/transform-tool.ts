// Ctrl+T: free transform of the selected layer. Drag a handle to scale (Shift keeps the
// aspect ratio), inside the box to move it, outside it to turn it (Shift snaps to 15°);
// Enter resamples the layer once (one undo step), Esc puts everything back. The move
// tool's rotate zone (just outside a corner) starts it too, already turning.
import { ToolNode, type StateNode, type ToolPointer } from '../state-node.ts';
import type { ToolHost } from '../tool-host.ts';
import type { BoxTransform } from '../../pixels/affine-transform.ts';
import { TransformIdle } from './idle.ts';
import { TransformScaling } from './scaling.ts';
import { TransformRotating } from './rotating.ts';
import { TransformMoving } from './moving.ts';

export interface TransformEnterInfo {
  /** the tool to go back to after Enter or Esc */
  resume?: string;
  /** begin turning from this press (the move tool's rotate zone) */
  rotateFrom?: ToolPointer;
}

export class TransformTool extends ToolNode {
  readonly id = 'transform';
  /** the layer being transformed and where it goes; null when none */
  session: { id: string; t: BoxTransform } | null = null;
  private resume = 'move';

  constructor(host: ToolHost, parent: StateNode) {
    super(host, parent, [TransformIdle, TransformScaling, TransformRotating, TransformMoving]);
  }

  /** a temporary pan is under way: the session waits for it */
  private paused = false;

  onPause(): boolean {
    if (this.current?.id !== 'idle') this.dispatch('onCancel'); // a half-done drag is put back
    this.paused = !!this.session;
    return this.paused;
  }

  enter(info?: unknown): void {
    if (this.paused && this.session) {
      // back from a pan: the same session, as it was
      this.paused = false;
      super.enter();
      return this.show();
    }
    this.paused = false;
    const { resume, rotateFrom } = (info ?? {}) as TransformEnterInfo;
    this.resume = resume && resume !== this.id ? resume : 'move';
    const target = this.host.freeTransformTarget();
    this.session = target ? { id: target.id, t: { from: target.rect, box: target.rect, angle: 0 } } : null;
    super.enter(info);
    if (!this.session) return queueMicrotask(() => this.done());
    this.show();
    if (rotateFrom) this.transition('rotating', { start: this.session.t, from: rotateFrom.canvas });
  }

  /** The transform in progress becomes `t` (the canvas shows it). */
  update(t: BoxTransform): void {
    if (!this.session) return;
    this.session = { ...this.session, t };
    this.show();
  }

  private show(): void {
    if (this.session) this.host.setPreview({ kind: 'free-transform', id: this.session.id, transform: this.session.t });
  }

  onCommit(): void {
    const s = this.session;
    this.session = null;
    if (s) this.host.commitFreeTransform(s.id, s.t);
    this.done();
  }

  onCancel(): void {
    this.session = null;
    this.host.setPreview(null);
    this.done();
  }

  private done(): void {
    if (this.parent?.current === this) this.parent.transition(this.resume);
  }

  onExit(): void {
    if (this.paused) return;
    // leaving by a tool switch drops what was pending (the preview goes with it)
    if (this.session) this.host.setPreview(null);
    this.session = null;
  }
}
