import type { Point } from '../../geometry.ts';
import { StateNode, type ToolPointer } from '../state-node.ts';

export interface PanInfo {
  /** where the press was, in screen px */
  origin: Point;
  /** the tool to go back to when the gesture ends (a temporary pan from another tool) */
  resume?: string;
}

export class HandPanning extends StateNode {
  readonly id = 'panning';
  private last: Point = { x: 0, y: 0 };
  private resume: string | undefined;

  onEnter(info?: unknown): void {
    const { origin, resume } = info as PanInfo;
    this.last = origin;
    this.resume = resume;
  }

  onPointerMove(p: ToolPointer): void {
    this.host.panBy(p.screen.x - this.last.x, p.screen.y - this.last.y);
    this.last = p.screen;
  }

  onPointerUp(): void {
    this.end();
  }

  onCancel(): void {
    this.end();
  }

  private end(): void {
    const resume = this.resume;
    this.resume = undefined;
    if (resume) this.parent!.parent!.transition(resume);
    else this.parent!.transition('idle');
  }
}
