using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Emperor.Benchmarks;
using Emperor.Core.Config;

// -show FORMAT : print the loaded options of one variant (checks the files say what they should)
// -quick       : a short job (2 warm-ups, 5 iterations of 8192 calls, no pilot) instead of BenchmarkDotNet's default
// anything else goes to BenchmarkDotNet (e.g. --artifacts DIR, --filter *Ini*)
var rest = new List<string>();
var quick = false;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "-show" && i + 1 < args.Length)
    {
        var kind = Enum.Parse<ConfigLoadBenchmarks.Format>(args[++i], ignoreCase: true);
        var (host, vassalArgs) = ConfigLoadBenchmarks.Create(kind);
        var result = ConfigLoader.Load(vassalArgs, host);
        foreach (var o in result.Options)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{o.Key} = {o.Value ?? "true"}"));
        }

        foreach (var d in result.Diagnostics)
        {
            Console.WriteLine(d.ToString());
        }

        return result.HasErrors ? 1 : 0;
    }

    if (args[i] == "-quick")
    {
        quick = true;
    }
    else
    {
        rest.Add(args[i]);
    }
}

// In-process: no generated project (which would inherit this repository's strict build settings), and the
// figures are those of this Release build.
var job = (quick ? Job.Default.WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1).WithInvocationCount(8192) : Job.Default)
    .WithToolchain(InProcessEmitToolchain.Instance);
var config = DefaultConfig.Instance.AddJob(job).AddExporter(JsonExporter.Full).WithOptions(ConfigOptions.JoinSummary);
var summaries = BenchmarkSwitcher.FromAssembly(typeof(ConfigLoadBenchmarks).Assembly).Run([.. rest], config);
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
