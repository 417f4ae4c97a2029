import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { HostEvent } from '../shared/protocol';

/** Folders the webview may load from: the bundles (the codicon font) and media. */
function localRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, localResourceRoots: localRoots(extensionUri) };
}

/** codicon.css's own @font-face: the page adds the font itself once loaded (src/webview/icons.ts) */
const FONT_FACE = /@font-face\s*{[^}]*}/;

interface Assets {
  script: string;
  /** the stylesheets, with the font's url to fill in per webview */
  style: string;
}

let assets: Assets | undefined;

/**
 * The script and the stylesheets, read once and put in the page. Each file the page loads goes through the
 * workbench's resource loader, one round trip each before the script runs: inline, the editor opens in about
 * the time of a webview that shows one line (bench: the floor figure). The icon font is not in the stylesheet:
 * a font being fetched holds the page's load event, and the workbench holds every message until that event.
 */
function loadAssets(extensionUri: vscode.Uri): Assets {
  if (assets) return assets;
  const read = (...p: string[]) => readFileSync(vscode.Uri.joinPath(extensionUri, ...p).fsPath, 'utf8');
  // "</script" or "</style" inside the text would end the element early; "<\/" means the same to JS and CSS
  const safe = (text: string) => text.replace(/<\/(script|style)/gi, '<\\/$1');
  const script = read('dist', 'webview.js');
  const own = read('media', 'hashEditor.css');
  const icons = usedIcons(read('dist', 'codicons', 'codicon.css').replace(FONT_FACE, ''), script + own);
  assets = { script: safe(script), style: safe(`${icons}\n${minifyCss(own)}`) };
  return assets;
}

/**
 * codicon.css with only the glyph rules of icons the page may use (a name its code or CSS mentions; a word
 * that only looks like one keeps its rule, which costs a line): 650 rules would be a third of the page.
 */
function usedIcons(css: string, code: string): string {
  return css.replace(/^\.codicon-([a-z0-9-]+):before \{[^}\n]*\}\n?/gm, (rule, name: string) =>
    code.includes(`"${name}"`) || code.includes(`'${name}'`) || code.includes(`codicon-${name}`) ? rule : '',
  );
}

/** Comments and indentation out of our stylesheet (it is read once and sent with every page). */
function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n+/g, '\n')
    .trim();
}

/** Text for a double-quoted attribute (the page reads it back as the same text). */
function attr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * The page: a strict CSP (only our nonce'd script and style, and our font). `first`: the first screen's `init`
 * (header, status, first rows) as JSON in an attribute, which the script draws before the page's load event;
 * the workbench delivers no message before that event. The page sets every value as text.
 */
export function editorHtml(webview: vscode.Webview, extensionUri: vscode.Uri, first?: HostEvent): string {
  const nonce = randomBytes(16).toString('base64');
  const { script, style } = loadAssets(extensionUri);
  const font = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'codicons', 'codicon.ttf')).toString();
  const csp = ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src 'nonce-${nonce}'`, `font-src ${webview.cspSource}`].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">${style}</style>
<title>Hash editor</title>
</head>
<body data-codicon-font="${font}"${first ? ` data-first-screen="${attr(JSON.stringify(first))}"` : ''}>
<div id="app"></div>
<script nonce="${nonce}">${script}</script>
</body>
</html>`;
}
