using System.Globalization;
using Emperor.Client;

var builder = WebApplication.CreateSlimBuilder(args);

// Kestrel adopts every fd in LISTEN_FDS (from 3) when LISTEN_PID is this process: the vassal role bound
// the port (below 1024, while it was still root) and then dropped to an unprivileged user.
builder.WebHost.ConfigureKestrel(options => options.UseSystemd());
builder.Logging.ClearProviders();

// READY=1 once Kestrel serves, WATCHDOG=1 at half WATCHDOG_USEC, STOPPING=1 on SIGTERM, then the host drains
// in-flight requests (up to ShutdownTimeout) before exiting, so an overlap reload fails no request.
builder.Services.AddEmperor();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

var app = builder.Build();
app.MapGet("/", () => string.Create(
    CultureInfo.InvariantCulture,
    $"hello from ASP.NET Core, vassal {Environment.GetEnvironmentVariable("VASSAL_NAME")}, pid {Environment.ProcessId}\n"));
app.MapGet("/whoami", () => File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)) + "\n");
app.Run();
