using Yarp.ReverseProxy.Configuration;

// yarp-forwarder LISTEN_PORT NODE_URL: every request on 127.0.0.1:LISTEN_PORT goes to NODE_URL through YARP.
if (args.Length != 2 || !int.TryParse(args[0], System.Globalization.CultureInfo.InvariantCulture, out var port))
{
    Console.Error.WriteLine("usage: yarp-forwarder LISTEN_PORT NODE_URL");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port));
RouteConfig[] routes = [new() { RouteId = "all", ClusterId = "node", Match = new RouteMatch { Path = "{**rest}" } }];
ClusterConfig[] clusters = [new() { ClusterId = "node", Destinations = new Dictionary<string, DestinationConfig> { ["n"] = new() { Address = args[1] } } }];
builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
return 0;
