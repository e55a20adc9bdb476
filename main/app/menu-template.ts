// Native menus mirror the editor's shortcuts; each item sends a command id to the renderer.
export interface MenuItemSpec {
  label: string;
  accelerator?: string;
  command?: string;
  role?: string;
}
export interface MenuSpec {
  label: string;
  items: (MenuItemSpec | 'separator')[];
}

export const MENU: readonly MenuSpec[] = [
  { label: 'File', items: [
    { label: 'New…', accelerator: 'CmdOrCtrl+N', command: 'file.new' },
    { label: 'Open…', accelerator: 'CmdOrCtrl+O', command: 'file.open' },
    'separator',
    { label: 'Save', accelerator: 'CmdOrCtrl+S', command: 'file.save' },
    { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', command: 'file.saveAs' },
    { label: 'Export…', accelerator: 'CmdOrCtrl+E', command: 'file.export' },
    'separator',
    { label: 'Quit', role: 'quit' },
  ] },
  { label: 'Edit', items: [
    { label: 'Undo', accelerator: 'CmdOrCtrl+Z', command: 'edit.undo' },
    { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', command: 'edit.redo' },
    'separator',
    { label: 'Delete Layer', accelerator: 'Delete', command: 'layer.delete' },
    { label: 'Deselect', accelerator: 'CmdOrCtrl+D', command: 'edit.deselect' },
    { label: 'Invert Selection', accelerator: 'CmdOrCtrl+Shift+I', command: 'select.invert' },
  ] },
  { label: 'Layer', items: [
    { label: 'Bring Forward', accelerator: 'CmdOrCtrl+]', command: 'layer.forward' },
    { label: 'Send Backward', accelerator: 'CmdOrCtrl+[', command: 'layer.backward' },
    { label: 'Bring to Front', accelerator: 'CmdOrCtrl+Shift+]', command: 'layer.front' },
    { label: 'Send to Back', accelerator: 'CmdOrCtrl+Shift+[', command: 'layer.back' },
  ] },
  { label: 'Tools', items: [
    { label: 'Move', accelerator: 'V', command: 'tool.move' },
    { label: 'Brush', accelerator: 'B', command: 'tool.brush' },
    { label: 'Eraser', accelerator: 'E', command: 'tool.eraser' },
    { label: 'Eyedropper', accelerator: 'I', command: 'tool.eyedropper' },
    { label: 'Marquee', accelerator: 'M', command: 'tool.marquee' },
    { label: 'Lasso', accelerator: 'L', command: 'tool.lasso' },
    { label: 'Region Box', accelerator: 'R', command: 'tool.region' },
    { label: 'Region Mask Brush', accelerator: 'Shift+R', command: 'tool.mask' },
  ] },
  { label: 'View', items: [
    { label: 'Zoom In', accelerator: 'CmdOrCtrl+=', command: 'view.zoomIn' },
    { label: 'Zoom Out', accelerator: 'CmdOrCtrl+-', command: 'view.zoomOut' },
    { label: 'Fit on Screen', accelerator: 'CmdOrCtrl+0', command: 'view.fit' },
    { label: 'Actual Size', accelerator: 'CmdOrCtrl+1', command: 'view.actualSize' },
    'separator',
    { label: 'Developer Tools', role: 'toggleDevTools' },
  ] },
];
