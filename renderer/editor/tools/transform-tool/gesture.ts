import { StateNode, type ToolPointer } from '../state-node.ts';
import type { Point } from '../../geometry.ts';
import type { BoxTransform } from '../../pixels/affine-transform.ts';
import type { Handle } from '../move-tool/resize-handles.ts';
import type { TransformTool } from './transform-tool.ts';

export interface GestureInfo {
  /** the transform when the press began */
  start: BoxTransform;
  /** the press (canvas px) */
  from: Point;
  handle?: Handle;
}

/** A drag inside free transform: each move makes a new transform from the one at the press;
 * the release keeps it (Enter applies it later), Esc puts the press's transform back. */
export abstract class TransformGesture extends StateNode {
  protected info: GestureInfo | null = null;

  onEnter(info?: unknown): void {
    this.info = info as GestureInfo;
  }

  protected abstract next(info: GestureInfo, p: ToolPointer): BoxTransform;

  onPointerMove(p: ToolPointer): void {
    if (this.info) (this.parent as TransformTool).update(this.next(this.info, p));
  }

  onPointerUp(): void {
    this.info = null;
    this.parent!.transition('idle');
  }

  onCancel(): void {
    if (this.info) (this.parent as TransformTool).update(this.info.start);
    this.info = null;
    this.parent!.transition('idle');
  }
}
