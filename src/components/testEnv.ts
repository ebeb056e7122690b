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

export {};
