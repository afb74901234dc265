using System.Diagnostics;
using System.Security.Cryptography;

namespace Emperor.Fuzz.Tests.Harness;

/// <summary>
/// Runs one target for a time budget: every seed as it is, then mutants of a pool that starts as the seeds and
/// keeps inputs whose output was new (a cheap stand-in for coverage feedback). Stops at the first failure:
/// an exception, a rendering that differs when the same input is run again (checked on every 8th input), or an
/// input that runs longer than the hang limit (a watchdog on the calling thread sees it; the stuck worker is a
/// background thread and is abandoned).
/// </summary>
internal static class FuzzCampaign
{
    private const int MaxPool = 4096;
    private static readonly TimeSpan s_minimizeBudget = TimeSpan.FromSeconds(5);

    public static FuzzReport Run(IFuzzTarget target, FuzzSettings settings)
    {
        var seeds = FuzzSeeds.For(target).Select(s => s.Bytes).ToList();
        if (seeds.Count == 0)
        {
            seeds.Add([]);
        }

        var seed = settings.SeedFor(target.Name);
        var state = new State();
        var worker = new Thread(() => Loop(target, seeds, settings.Budget, seed, state)) { IsBackground = true, Name = "fuzz " + target.Name };
        var clock = Stopwatch.StartNew();
        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(100)))
        {
            var started = Volatile.Read(ref state.CurrentStart);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > settings.HangLimit)
            {
                var input = Volatile.Read(ref state.Current) ?? [];
                state.Failure = Save(settings, target, "hang", $"one input ran longer than {settings.HangLimit.TotalSeconds:0} s", input, input);
                break;
            }
        }

        if (state.Failure is { SavedTo.Length: 0 } found)
        {
            // Shrink outside the loop, where a slow input cannot hold the watchdog up.
            var minimized = found.Kind == "crash" ? Minimize(target, found.Input, Signature(target, found.Input)) : found.Input;
            state.Failure = Save(settings, target, found.Kind, found.Details, found.Input, minimized);
        }

        if (state.SlowestInput is { } slowest && TimeSpan.FromTicks(state.SlowestTicks) > settings.HangLimit / 10)
        {
            // Not a failure, but the input to look at when a target gets slow.
            Directory.CreateDirectory(Path.Combine(settings.OutputDirectory, target.Name));
            File.WriteAllBytes(Path.Combine(settings.OutputDirectory, target.Name, "slowest.bin"), slowest);
        }

        return new FuzzReport(target.Name, seed, seeds.Count, Volatile.Read(ref state.Executions), clock.Elapsed, state.Outputs.Count, TimeSpan.FromTicks(state.SlowestTicks), state.Failure);
    }

    /// <summary>Runs one input and describes how it failed, or null.</summary>
    public static string? Signature(IFuzzTarget target, byte[] input)
    {
        try
        {
            _ = target.Run(input);
            return null;
        }
        catch (FuzzInvariantException e)
        {
            var colon = e.Message.IndexOf(':', StringComparison.Ordinal);
            return "invariant " + (colon < 0 ? e.Message : e.Message[..colon]);
        }
#pragma warning disable CA1031 // Any exception from the parser is the finding.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e.GetType().FullName + " in " + e.TargetSite?.DeclaringType?.Name + "." + e.TargetSite?.Name;
        }
    }

    private static void Loop(IFuzzTarget target, List<byte[]> seeds, TimeSpan budget, int seed, State state)
    {
        var random = new Random(seed);
        var mutator = new Mutator(random, target.Dictionary);
        var pool = new List<byte[]>(seeds);
        var clock = Stopwatch.StartNew();
        var n = 0L;
        while (true)
        {
            byte[] input;
            if (n < seeds.Count)
            {
                input = seeds[(int)n];
            }
            else
            {
                if (clock.Elapsed >= budget)
                {
                    break;
                }

                input = mutator.Mutate(Pick(pool, random), pool[random.Next(pool.Count)]);
            }

            Volatile.Write(ref state.Current, input);
            Volatile.Write(ref state.CurrentStart, Stopwatch.GetTimestamp());
            string rendering;
            try
            {
                rendering = target.Run(input);
                if (n % 8 == 0)
                {
                    var again = target.Run(input);
                    if (again != rendering)
                    {
                        state.Failure = new FuzzFailure("nondeterministic", $"the same input gave two different results:\n    {Invariant.Escape(rendering, 300)}\n    {Invariant.Escape(again, 300)}", input, [], string.Empty);
                        return;
                    }
                }
            }
#pragma warning disable CA1031 // Any exception from the parser is the finding.
            catch (Exception e)
#pragma warning restore CA1031
            {
                state.Failure = new FuzzFailure("crash", e.ToString(), input, [], string.Empty);
                return;
            }
            finally
            {
                var took = Stopwatch.GetElapsedTime(Volatile.Read(ref state.CurrentStart)).Ticks;
                Volatile.Write(ref state.CurrentStart, 0);
                if (took > state.SlowestTicks)
                {
                    state.SlowestTicks = took;
                    state.SlowestInput = input;
                }
                Interlocked.Increment(ref state.Executions);
            }

            n++;
            if (state.Outputs.Add(rendering.GetHashCode(StringComparison.Ordinal)) && n > seeds.Count)
            {
                if (pool.Count < MaxPool)
                {
                    pool.Add(input);
                }
                else
                {
                    pool[random.Next(seeds.Count, MaxPool)] = input;
                }
            }
        }
    }

    /// <summary>The shorter of two random pool entries: big inputs (huge repeats) stay in the pool, but short ones
    /// run faster and are mutated more often.</summary>
    private static byte[] Pick(List<byte[]> pool, Random random)
    {
        var a = pool[random.Next(pool.Count)];
        var b = pool[random.Next(pool.Count)];
        return a.Length <= b.Length ? a : b;
    }

    /// <summary>Greedy delta debugging: drop chunks, halving their size, while the input fails the same way.</summary>
    private static byte[] Minimize(IFuzzTarget target, byte[] input, string? signature)
    {
        if (signature is null)
        {
            // Failed only once (e.g. nondeterminism that did not repeat): keep it as found.
            return input;
        }

        var clock = Stopwatch.StartNew();
        var current = input;
        for (var chunk = Math.Max(1, current.Length / 2); chunk >= 1 && clock.Elapsed < s_minimizeBudget; chunk /= 2)
        {
            for (var at = 0; at < current.Length && clock.Elapsed < s_minimizeBudget;)
            {
                var candidate = current[..at].Concat(current[Math.Min(current.Length, at + chunk)..]).ToArray();
                if (Signature(target, candidate) == signature)
                {
                    current = candidate;
                }
                else
                {
                    at += chunk;
                }
            }
        }

        return current;
    }

    private static FuzzFailure Save(FuzzSettings settings, IFuzzTarget target, string kind, string details, byte[] input, byte[] minimized)
    {
        var dir = Path.Combine(settings.OutputDirectory, target.Name);
        Directory.CreateDirectory(dir);
        var name = $"{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..12]}";
        var path = Path.Combine(dir, name + ".bin");
        File.WriteAllBytes(path, input);
        File.WriteAllBytes(Path.Combine(dir, name + ".min.bin"), minimized);
        return new FuzzFailure(kind, details, input, minimized, path);
    }

    private sealed class State
    {
#pragma warning disable SA1401, CA1051 // Shared with the watchdog through Volatile/Interlocked.
        public byte[]? Current;
        public long CurrentStart;
        public long Executions;
        public long SlowestTicks;
        public byte[]? SlowestInput;
        public FuzzFailure? Failure;
        public HashSet<int> Outputs = [];
#pragma warning restore SA1401, CA1051
    }
}
