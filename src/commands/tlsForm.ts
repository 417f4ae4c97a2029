import { homedir } from 'node:os';
import type { TlsOptions } from '../core/profile';
import { orCancel } from './command';
import type { Ask, ConnectionDraft, FormItem } from './formParts';
import { pickFile, secretLabel } from './sshForm';
import type { PromptLayer } from './prompts';

/**
 * The review list's TLS client certificate lines (servers started with tls-auth-clients): the certificate and
 * its key from the file dialog, both or neither, and the key's passphrase (secret storage only).
 */
export function tlsClientLines(prompts: PromptLayer, draft: ConnectionDraft, tls: TlsOptions, setTls: (o: TlsOptions) => void, title: string, text: Ask): FormItem[] {
  const lines: FormItem[] = [
    {
      label: '    Client certificate',
      description: tls.certFile || '(none)',
      edit: async () => {
        const choices = [
          { label: 'Choose the certificate and its key…', value: 'files' as const },
          { label: 'No client certificate', value: 'none' as const },
        ];
        const picked = orCancel(await prompts.pick(choices, { title, placeHolder: 'A client certificate (PEM), for a server that asks for one' }));
        if (picked.value === 'none') return setTls({ ...tls, certFile: undefined, keyFile: undefined });
        const certFile = await pickFile(prompts, `${title}: client certificate (PEM)`, 'Use This Certificate', tls.certFile, homedir());
        const keyFile = certFile ? await pickFile(prompts, `${title}: the certificate's private key (PEM)`, 'Use This Key', tls.keyFile ?? certFile, homedir()) : undefined;
        setTls({ ...tls, certFile, keyFile });
      },
    },
  ];
  if (tls.keyFile) {
    lines.push(
      { label: '    Client key', description: tls.keyFile, edit: async () => setTls({ ...tls, keyFile: await pickFile(prompts, `${title}: the certificate's private key (PEM)`, 'Use This Key', tls.keyFile, homedir()) }) },
      { label: '    Client key passphrase', description: secretLabel(draft, 'tlsKeyPassphrase'), edit: async () => void (draft.tlsKeyPassphrase = await text('Passphrase of the client key (empty: none). Kept only in VS Code secret storage.', '', undefined, true)) },
    );
  }
  return lines;
}
