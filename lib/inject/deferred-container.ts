import type { DependencyContainer } from 'tsyringe';

type Method = (...args: unknown[]) => unknown;

/**
 * The app's own tsyringe container (a child of tsyringe's global one), made the first time it
 * is used. Most apps list their components and never ask the container for a class, so
 * `new App()` need not load tsyringe (about 12 ms of CPU at every start); an app that does
 * (a hook class, a service resolved by its class, `app.container.register(...)`) gets the
 * same child container as before, on its first call.
 *
 * @example
 * const container = new DeferredContainer();   // tsyringe not loaded yet
 * container.register(Clock, { useValue: clock }); // loads it and makes the child container
 */
export class DeferredContainer implements DependencyContainer {
  private made: DependencyContainer | undefined;

  /** The child container, made now if it was not. */
  get container(): DependencyContainer {
    return (this.made ??= (require('tsyringe') as typeof import('tsyringe')).container.createChildContainer());
  }

  /** Calls `name` on the container; registrations answer this object, so that calls chain on it. */
  private call(name: keyof DependencyContainer, args: unknown[], chain = false): unknown {
    const container = this.container;
    const result = (container[name] as Method).apply(container, args);
    return chain ? this : result;
  }

  register: DependencyContainer['register'] = (...args: unknown[]) => this.call('register', args, true) as DependencyContainer;
  registerSingleton: DependencyContainer['registerSingleton'] = (...args: unknown[]) =>
    this.call('registerSingleton', args, true) as DependencyContainer;
  registerType: DependencyContainer['registerType'] = (...args: unknown[]) => this.call('registerType', args, true) as DependencyContainer;
  registerInstance: DependencyContainer['registerInstance'] = (...args: unknown[]) =>
    this.call('registerInstance', args, true) as DependencyContainer;
  resolve: DependencyContainer['resolve'] = <T>(...args: unknown[]) => this.call('resolve', args) as T;
  resolveAll: DependencyContainer['resolveAll'] = <T>(...args: unknown[]) => this.call('resolveAll', args) as T[];
  isRegistered: DependencyContainer['isRegistered'] = (...args: unknown[]) => this.call('isRegistered', args) as boolean;
  reset: DependencyContainer['reset'] = () => {
    this.call('reset', []);
  };
  clearInstances: DependencyContainer['clearInstances'] = () => {
    this.call('clearInstances', []);
  };
  createChildContainer: DependencyContainer['createChildContainer'] = () => this.container.createChildContainer();
  beforeResolution: DependencyContainer['beforeResolution'] = (...args: unknown[]) => {
    this.call('beforeResolution', args);
  };
  afterResolution: DependencyContainer['afterResolution'] = (...args: unknown[]) => {
    this.call('afterResolution', args);
  };
  /** Disposing a container never made has nothing to dispose (and need not load tsyringe to say so). */
  dispose: DependencyContainer['dispose'] = () => (this.made ? this.made.dispose() : undefined);
}
