/* The Field column's resize handle: drag it, or focus it and press Left / Right. */

export function makeResizable(handle: HTMLElement, grid: HTMLElement, current: () => number): void {
  const apply = (w: number) => grid.style.setProperty('--field-width', `${Math.max(60, Math.min(w, 2000))}px`);
  handle.addEventListener('pointerdown', (e) => {
    e.preventDefault();
    const startX = e.clientX;
    const startW = current();
    handle.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent) => apply(startW + m.clientX - startX);
    const up = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', up);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', up);
  });
  handle.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      apply(current() + (e.key === 'ArrowLeft' ? -20 : 20));
    }
  });
}
