/**
 * Drag and drop of files onto the element: a drop target only while files can be sent, and only
 * for drags that carry files (not text or links).
 */
export function fileDrop(canSend: () => boolean, send: (files: File[]) => void) {
  return {
    dragover(event: DragEvent): void {
      if (!canSend() || !event.dataTransfer?.types.includes('Files')) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    },
    drop(event: DragEvent): void {
      if (!canSend() || !event.dataTransfer?.files.length) return;
      event.preventDefault();
      send([...event.dataTransfer.files]);
    },
  };
}
