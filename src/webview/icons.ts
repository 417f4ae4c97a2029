/*
 * The codicon font, added after the page's load event. The workbench delivers no message to a webview before
 * its load event, and a font still being fetched holds that event back: the first rows would wait for the
 * icons. Until the font is in, the glyphs are hidden (not drawn as boxes in a fallback font).
 */
export function loadIconFont(): void {
  const url = document.body.dataset.codiconFont;
  if (!url) return;
  const ready = () => (document.documentElement.dataset.icons = 'ready');
  window.addEventListener(
    'load',
    () => {
      const face = new FontFace('codicon', `url("${url}")`, { display: 'block' });
      document.fonts.add(face);
      face.load().then(ready, ready);
    },
    { once: true },
  );
}
