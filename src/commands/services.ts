import type { FieldFileSystem } from '../documents/fieldFileSystem';
import type { HashEditorManager } from '../hashEditor/manager';
import type { BaseServices } from '../services';

/**
 * What commands use: the views, and the open hash editors and field documents built on them. Here, not in
 * src/services.ts: the editor and the documents use helpers of the commands that take only BaseServices, so
 * nothing those helpers import leads back to the editor.
 */
export interface Services extends BaseServices {
  editors: HashEditorManager;
  fieldDocuments: FieldFileSystem;
}
