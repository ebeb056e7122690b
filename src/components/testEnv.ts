// jsdom lacks IntersectionObserver, which @grafana/ui's Select menu (ScrollIndicators) uses.
// Imported by the component tests only.
class NoopIntersectionObserver {
  readonly root = null;
  readonly rootMargin = '';
  readonly thresholds: number[] = [];
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}

if (typeof window !== 'undefined' && !('IntersectionObserver' in window)) {
  Object.defineProperty(window, 'IntersectionObserver', { writable: true, value: NoopIntersectionObserver });
  Object.defineProperty(global, 'IntersectionObserver', { writable: true, value: NoopIntersectionObserver });
}

// jsdom lays nothing out and has no canvas: @grafana/ui's Combobox measures its options' text
// on a canvas and renders its menu as a virtual list, which shows nothing at 0×0. A fixed size
// and a text width proportional to the length are enough for it to render.
if (typeof window !== 'undefined') {
  Element.prototype.getBoundingClientRect = () =>
    ({ x: 0, y: 0, width: 120, height: 120, top: 0, left: 0, bottom: 120, right: 120, toJSON: () => ({}) }) as DOMRect;
  for (const prop of ['clientWidth', 'clientHeight', 'offsetWidth', 'offsetHeight']) {
    Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => 120 });
  }
  HTMLCanvasElement.prototype.getContext = (() => ({
    font: '',
    measureText: (text: string) => ({ width: text.length * 8 }),
  })) as unknown as typeof HTMLCanvasElement.prototype.getContext;
}

export {};
