/**
 * Starwire: typed real-time web services for Node. Handlers declare what they need, a
 * resolver injects it; hooks wrap every connection; one table maps exceptions onto HTTP
 * responses and WebSocket close codes.
 */
import 'reflect-metadata';

export { App, type AppOptions } from './lib/app';
export { Route, WebSocketRoute, Include, type RouteOptions, type WebSocketRouteOptions, type IncludeOptions, type Handler, type InvalidMessagePolicy } from './lib/routing/routes';
export type { InvalidMessageReply } from './lib/routing/routes';
export { inject, type InjectDecorator } from './lib/inject/inject';
export { component, ComponentToken, type ComponentDefinition, type ComponentOptions, type ComponentScope } from './lib/inject/component';
export { Token, type TokenLike, type Resolved, type ResolvedAll, type CompileSite, type Provider } from './lib/inject/token';
export type { Hook, HookLike } from './lib/inject/hook';
export { Response, JSONResponse, HTMLResponse, PlainTextResponse, RedirectResponse, StreamingResponse, type ResponseInit, type OutgoingHeaders } from './lib/http/response';
export { HTTPException, WebSocketException, WebSocketDisconnect, WebSocketProtocolError, ValidationError, ConfigurationError, type ValidationIssue } from './lib/errors/exceptions';
export * as status from './lib/errors/status';
export type { Settings, SettingsInput } from './lib/config/settings';
export type { JsonSchema, FromSchema } from './lib/inject/schema';
export type { Address } from './lib/http/address';
export { TestClient, type TestRequestInit } from './lib/testing/test-client';

export { Request } from './components/request';
export { Scope, type Query } from './components/scope';
export { PathParam } from './components/path-param';
export { QueryParam } from './components/query-param';
export { Header } from './components/header';
export { Cookie } from './components/cookie';
export { Body } from './components/body';
export { CurrentResponse } from './components/current-response';
export { CurrentError } from './components/current-error';
export { User } from './components/user';

export { Cors, type CorsOptions } from './hooks/cors';
export { Timing } from './hooks/timing';
export { TokenAuth, type TokenAuthOptions } from './hooks/token-auth';

export { WebSocket, type WebSocketState, type WebSocketMessage } from './components/websocket';
export { Message } from './components/message';
export { TestWebSocket, WebSocketDenied } from './lib/testing/test-websocket';
export type { WebSocketSettings } from './lib/config/websocket-settings';
export type { WebSocketStats } from './lib/websocket/websocket-stats';
export { Subprotocols, type SubprotocolOptions } from './hooks/subprotocols';
export { AllowedOrigins } from './hooks/allowed-origins';

// WebsocketConsumer and JsonWebsocketConsumer: the same classes under Django Channels' spelling.
export {
  WebSocketConsumer, JsonWebSocketConsumer,
  WebSocketConsumer as WebsocketConsumer, JsonWebSocketConsumer as JsonWebsocketConsumer,
} from './lib/channels/consumer';
export { ChannelFull, ChannelLayerClosed, type ChannelLayer, type ChannelMessage, type ChannelLayerOptions, type ChannelLayerStats, type GroupSendResult, type NewChannelOptions, type RemoteOutcome } from './lib/channels/channel-layer';
export { InMemoryChannelLayer, type InMemoryChannelLayerOptions } from './lib/channels/in-memory-channel-layer';
export { RedisChannelLayer, ChannelLayerUnavailable, type RedisChannelLayerOptions } from './lib/channels/redis-channel-layer';
export { RealtimeManager, RoomError, type Broadcast, type RealtimeOptions, type RealtimeStats, type UserInit } from './lib/realtime/manager';
export type { Publication } from './lib/realtime/switchboard';
export type { Delivery } from './lib/realtime/fan-out';
export { EventType, type EventData, type EventHandler, type PresenceUser } from './lib/realtime/events';
export { MemoryRealtimeStore } from './lib/realtime/memory-store';
export type { RealtimeStore, RoomInfo, ChannelInfo, Departure, HistoryEntry, HistoryReplay, HistoryPosition, HistoryPublication, Appended } from './lib/realtime/store';
export { compareIds, parseHistoryId } from './lib/realtime/store';
export { RedisRealtimeStore, type RedisRealtimeStoreOptions } from './lib/realtime/redis-store';
export { Logger, type LogLevel, type LogFields } from './lib/config/logger';
export { StartupError, type LifespanHandler } from './lib/server/lifespan';
export type { CloseOptions } from './lib/app';
