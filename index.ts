/**
 * Starwire: typed real-time web services for Node. Handlers declare what they need, a
 * resolver injects it; hooks wrap every connection; one table maps exceptions onto HTTP
 * responses and WebSocket close codes.
 */
import 'reflect-metadata';

export { Body } from './components/body';
export { Cookie } from './components/cookie';
export { CurrentError } from './components/current-error';
export { CurrentResponse } from './components/current-response';
export { Files, FormFile, type FormFileOptions, UploadFile } from './components/files';
export { Form, type FormFields, type FormOptions } from './components/form';
export { Header } from './components/header';
export { LastEventId } from './components/last-event-id';
export { Message } from './components/message';
export { Offload } from './components/offload';
export { PathParam } from './components/path-param';
export { QueryParam } from './components/query-param';
export { Request } from './components/request';
export { RequestId, RequestIdToken } from './components/request-id';
export { RequestLogger, RequestLoggerToken } from './components/request-logger';
export { type Query, Scope } from './components/scope';
export { User } from './components/user';
export { WebSocket, type WebSocketMessage, type WebSocketState } from './components/websocket';
export { AllowedOrigins } from './hooks/allowed-origins';
export { Compression, type CompressionOptions } from './hooks/compression';
export { Cors, type CorsOptions } from './hooks/cors';
export { type SubprotocolOptions, Subprotocols } from './hooks/subprotocols';
export { Timing } from './hooks/timing';
export { TokenAuth, type TokenAuthOptions } from './hooks/token-auth';
export type { CloseOptions } from './lib/app';
export { App, type AppOptions, type AppStats } from './lib/app';
export type { Readiness, ReadinessReason } from './lib/app-readiness';
export {
  ChannelFull,
  type ChannelLayer,
  ChannelLayerClosed,
  type ChannelLayerOptions,
  type ChannelLayerStats,
  type ChannelMessage,
  type GroupSendResult,
  type NewChannelOptions,
  type RemoteOutcome,
} from './lib/channels/channel-layer';
// WebsocketConsumer and JsonWebsocketConsumer: the same classes under Django Channels' spelling.
export {
  JsonWebSocketConsumer,
  JsonWebSocketConsumer as JsonWebsocketConsumer,
  WebSocketConsumer,
  WebSocketConsumer as WebsocketConsumer,
} from './lib/channels/consumer';
export { InMemoryChannelLayer, type InMemoryChannelLayerOptions } from './lib/channels/in-memory-channel-layer';
export { ChannelLayerUnavailable, RedisChannelLayer, type RedisChannelLayerOptions } from './lib/channels/redis-channel-layer';
export type { FormLimits, FormSettings } from './lib/config/form-settings';
export type { LogFormat, SerializedError } from './lib/config/log-line';
export { type AppLogger, type LogFields, Logger, type LoggerOptions, type LogLevel, type LogMethod } from './lib/config/logger';
export type { LogContext, Settings, SettingsInput } from './lib/config/settings';
export type { WebSocketSettings } from './lib/config/websocket-settings';
export type {
  ApiInfo,
  AsyncApiDocument,
  AsyncApiOptions,
  JsonObject,
  OpenApiDocument,
  OpenApiOptions,
} from './lib/descriptions/document-types';
export type { ErrorClass, ExceptionHandlerEntry } from './lib/errors/exception-handlers';
export {
  ClientDisconnect,
  ConfigurationError,
  HTTPException,
  ValidationError,
  type ValidationIssue,
  WebSocketDisconnect,
  WebSocketException,
  WebSocketProtocolError,
} from './lib/errors/exceptions';
export * as status from './lib/errors/status';
export type { Address } from './lib/http/address';
export type { ContentCoding } from './lib/http/content-coding';
export { type EventSourceLike, EventStream, type EventStreamOptions } from './lib/http/event-stream';
export type { FileCacheOptions } from './lib/http/file-response';
export type { FormContent } from './lib/http/form-limits';
export type { HttpStats } from './lib/http/http-stats';
export {
  HTMLResponse,
  JSONResponse,
  type OutgoingHeaders,
  PlainTextResponse,
  RedirectResponse,
  Response,
  type ResponseInit,
  StreamingResponse,
} from './lib/http/response';
export { formatServerSentEvent, type ServerSentEvent } from './lib/http/server-sent-event';
export { StaticFiles, type StaticFilesOptions } from './lib/http/static-files';
export type {
  ApiSecurityScheme,
  BodyDescription,
  HookDescription,
  MessageDescription,
  ParameterDescription,
  TokenDescription,
} from './lib/inject/api-description';
export { type ComponentDefinition, type ComponentOptions, type ComponentScope, ComponentToken, component } from './lib/inject/component';
export type { Hook, HookLike } from './lib/inject/hook';
export { type InjectDecorator, type Injected, type InjectedTokens, inject } from './lib/inject/inject';
export type { FromSchema, JsonSchema } from './lib/inject/schema';
export { type CompileSite, type Provider, type Resolved, type ResolvedAll, Token, type TokenLike } from './lib/inject/token';
export type { ExportArgs, ExportedFunction, ExportResult } from './lib/offload/offload';
export type { OffloadOptions } from './lib/offload/offload-pool';
export { type EventData, type EventHandler, EventType, type PresenceUser } from './lib/realtime/events';
export type { Delivery } from './lib/realtime/fan-out';
export {
  type Broadcast,
  type ChannelInit,
  RealtimeManager,
  type RealtimeOptions,
  type RealtimeStats,
  RoomError,
  type RoomEventStreamOptions,
  type RoomInit,
  type UserInit,
} from './lib/realtime/manager';
export { MemoryRealtimeStore } from './lib/realtime/memory-store';
export { RedisRealtimeStore, type RedisRealtimeStoreOptions } from './lib/realtime/redis-store';
export type {
  Appended,
  ChannelInfo,
  Departure,
  HistoryEntry,
  HistoryPosition,
  HistoryPublication,
  HistoryReplay,
  RealtimeStore,
  RoomInfo,
} from './lib/realtime/store';
export { compareIds, parseHistoryId } from './lib/realtime/store';
export type { Publication } from './lib/realtime/switchboard';
export type { InvalidMessageReply } from './lib/routing/routes';
export {
  type ConsumerClass,
  type Handler,
  type HttpRouteOptions,
  Include,
  type IncludeOptions,
  type InvalidMessagePolicy,
  type ResponseSchemas,
  Route,
  type RouteOptions,
  WebSocketRoute,
  type WebSocketRouteOptions,
} from './lib/routing/routes';
export { type ApiDescriptionRoutesOptions, apiDescriptionRoutes } from './lib/server/api-description-routes';
export { type ApiDocsPagesOptions, apiDocsPages, docsPagePolicy } from './lib/server/api-docs-pages';
export { AppMetrics, type MetricsOptions } from './lib/server/app-metrics';
export { type HealthRoutesOptions, healthRoutes } from './lib/server/health-routes';
export { HttpMetrics, UNMATCHED_ROUTE } from './lib/server/http-metrics';
export { type LifespanHandler, StartupError } from './lib/server/lifespan';
export { metricsRoutes } from './lib/server/metrics-routes';
export { TestClient, type TestRequestInit } from './lib/testing/test-client';
export { TestWebSocket, WebSocketDenied } from './lib/testing/test-websocket';
export type { TracingOption } from './lib/tracing/tracing';
export type { WebSocketClose, WebSocketExceptionAnswer } from './lib/websocket/websocket-error-answer';
export type { WebSocketStats } from './lib/websocket/websocket-stats';
