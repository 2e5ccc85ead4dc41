/** What `starwire --help` and `starwire serve --help` print. */

export const MAIN_HELP = `Usage: starwire <command> [options]

Commands:
  serve <module>[:export]     Serve a Starwire app over HTTP and WebSocket
  openapi <module>[:export]   Print the app's OpenAPI 3.1 document (HTTP routes) as JSON
  asyncapi <module>[:export]  Print the app's AsyncAPI 3.0 document (WebSocket routes) as JSON

Options:
  -h, --help                  Show this help (starwire <command> --help for a command's options)
  --version                   Print the Starwire version
`;

export const SERVE_HELP = `Usage: starwire serve <module>[:export] [options]

Serves the App exported by <module>, a path (relative to the working directory) to a compiled
.js file, or a .ts file when tsx is installed. The export (default: app, then default) is an
App or a zero-argument function returning an App or a Promise of one.

Every option can also be set by the environment variable on its second line; a flag wins over
its variable, and an empty variable counts as unset.

Options:
  --host <host>                  Address to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)
                                 env STARWIRE_HOST, else HOST
  --port <port>                  Port to listen on, 0 for any free one (default: 8000)
                                 env STARWIRE_PORT, else PORT
  --workers <n>                  Processes sharing the port through node:cluster (default: 1)
                                 env STARWIRE_WORKERS
  --log-level <level>            debug, info, warn or error; sets STARWIRE_LOG_LEVEL for the app
                                 env STARWIRE_LOG_LEVEL (default: the app's setting, else warn)
  --log-format <format>          json (one pino-shaped object per line) or pretty (one short coloured
                                 line); sets STARWIRE_LOG_FORMAT for the app (default: json)
  --access-log, --no-access-log  One log line per HTTP request, whatever the log level, or none
                                 env STARWIRE_ACCESS_LOG=true|false (default: lines at level info)
  --keep-alive-timeout <s>       Close a keep-alive connection idle this many seconds (default: 5)
                                 env STARWIRE_KEEP_ALIVE_TIMEOUT
  --limit-max-requests <n>       Replace a worker (or, alone, exit 0) after it served n requests
                                 env STARWIRE_LIMIT_MAX_REQUESTS (default: no limit)
  --reload                       Restart on file changes under the module's directory (development)
                                 env STARWIRE_RELOAD=true|false
  --shutdown-delay <s>           After SIGTERM/SIGINT, answer /readyz with 503 for this many seconds
                                 before closing anything (default: 0)
                                 env STARWIRE_SHUTDOWN_DELAY
  --shutdown-timeout <ms>        After SIGTERM/SIGINT (and the delay), force the exit after this long
                                 env STARWIRE_SHUTDOWN_TIMEOUT (default: 10000)
  -h, --help                     Show this help

Examples:
  starwire serve dist/samples/chat/app.js:chatApp --port 8000
  starwire serve dist/app.js --host 0.0.0.0 --workers 4 --log-level info
  STARWIRE_PORT=8080 STARWIRE_WORKERS=4 starwire serve dist/app.js

Exit codes: 0 clean shutdown, 1 the app failed to start, 2 usage error (a flag or a variable),
3 shutdown timed out, 130 a second SIGINT (Ctrl-C) cut the shutdown short.
`;
