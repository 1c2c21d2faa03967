/**
 * What a host needs of the service: make a KinscanService, wrap it in the dispatcher, feed it
 * messages and forward its events (engine/service/hosts/, server/).
 */
export { createDispatcher, type Dispatcher, type DispatcherOptions } from './dispatcher.js';
export { ServiceError, toErrorInfo } from './errors.js';
export { FileRoot, MAX_LISTING, type FileEntry, type FolderListing } from './file-root.js';
export { KinscanService, type KinscanServiceOptions, type ParamsIn } from './service.js';
