// Add, edit and remove cameras: POST /v1/cameras, PATCH /v1/cameras/:id, DELETE /v1/cameras/:id.
import { errorText, type Api } from './api.js';
import type { CameraJson } from './types.js';

export class CameraForm {
  private editing: CameraJson | undefined;

  constructor(
    private readonly form: HTMLFormElement,
    private readonly api: Api,
    private readonly onChanged: () => void,
  ) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    this.field('remove').addEventListener('click', () => void this.remove());
    this.field('reset').addEventListener('click', () => this.edit(undefined));
  }

  edit(camera: CameraJson | undefined): void {
    this.editing = camera;
    this.input('cam-id').value = camera?.id ?? '';
    this.input('cam-id').readOnly = camera !== undefined;
    this.input('cam-url').value = camera?.url ?? '';
    this.input('cam-enabled').checked = camera?.enabled ?? true;
    this.input('cam-window').value = camera?.windowMs === undefined ? '' : String(camera.windowMs);
    this.input('cam-numseg').value = camera?.numSeg === undefined ? '' : String(camera.numSeg);
    this.input('cam-predictions').checked = camera?.publishPredictions ?? true;
    (this.field('remove') as HTMLButtonElement).disabled = camera === undefined;
    this.field('form-title').textContent = camera === undefined ? 'Add a camera' : `Edit ${camera.id}`;
    this.message('');
    if (camera !== undefined) this.form.scrollIntoView({ block: 'nearest' });
  }

  private async save(): Promise<void> {
    const body = this.body();
    try {
      if (this.editing === undefined) {
        await this.api.send('POST', '/v1/cameras', body);
        this.message(`added ${String(body.id)}`);
      } else {
        const { id: _id, ...patch } = body;
        // The list shows the URL with its password masked: send it only when the user changed it.
        if (patch.url === this.editing.url) delete patch.url;
        await this.api.send('PATCH', `/v1/cameras/${encodeURIComponent(this.editing.id)}`, patch);
        this.message(`saved ${this.editing.id}`);
      }
      this.onChanged();
    } catch (error) {
      this.message(errorText(error), true);
    }
  }

  private async remove(): Promise<void> {
    const camera = this.editing;
    if (camera === undefined) return;
    try {
      await this.api.send('DELETE', `/v1/cameras/${encodeURIComponent(camera.id)}`);
      this.edit(undefined);
      this.message(`removed ${camera.id}`);
      this.onChanged();
    } catch (error) {
      this.message(errorText(error), true);
    }
  }

  private body(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      id: this.input('cam-id').value.trim(),
      url: this.input('cam-url').value.trim(),
      enabled: this.input('cam-enabled').checked,
      publishPredictions: this.input('cam-predictions').checked,
    };
    const windowMs = this.input('cam-window').value.trim();
    const numSeg = this.input('cam-numseg').value.trim();
    if (windowMs !== '') body.windowMs = Number(windowMs);
    if (numSeg !== '') body.numSeg = Number(numSeg);
    return body;
  }

  private message(text: string, isError = false): void {
    const out = this.field('form-message');
    out.textContent = text;
    out.classList.toggle('error', isError);
  }

  private field(id: string): HTMLElement {
    const el = this.form.querySelector<HTMLElement>(`#${id}`);
    if (el === null) throw new Error(`#${id} missing from the camera form`);
    return el;
  }

  private input(id: string): HTMLInputElement {
    return this.field(id) as HTMLInputElement;
  }
}
