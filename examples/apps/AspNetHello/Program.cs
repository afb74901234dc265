using System.Globalization;

var builder = WebApplication.CreateSlimBuilder(args);

// Kestrel adopts every fd in LISTEN_FDS (from 3) when LISTEN_PID is this process: the vassal role bound
// the port (below 1024, while it was still root) and then dropped to an unprivileged user.
builder.WebHost.ConfigureKestrel(options => options.UseSystemd());
builder.Logging.ClearProviders();

var app = builder.Build();
app.MapGet("/", () => string.Create(
    CultureInfo.InvariantCulture,
    $"hello from ASP.NET Core, vassal {Environment.GetEnvironmentVariable("VASSAL_NAME")}, pid {Environment.ProcessId}\n"));
app.MapGet("/whoami", () => File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)) + "\n");
app.Run();
