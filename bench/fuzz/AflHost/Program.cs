using System.Globalization;
using Emperor.Fuzz.Tests.Harness;
using SharpFuzz;

// bench/fuzz/run drives this:
//   list                 the target names
//   seeds TARGET DIR     writes the target's seeds (hand-made, Corpus/TARGET, repository files) into DIR
//   dict TARGET FILE     writes the target's dictionary in AFL's format (-x FILE)
//   run TARGET           one AFL++ session's child: SharpFuzz's forkserver loop, one input per round
//   replay TARGET FILE…  runs files through the target outside AFL (a crash prints its exception)
if (args.Length == 0)
{
    return Usage();
}

switch (args[0])
{
    case "list":
        foreach (var t in FuzzTargets.All)
        {
            Console.WriteLine(t.Name);
        }

        return 0;
    case "seeds" when args.Length == 3 && FuzzTargets.Find(args[1]) is { } target:
        Directory.CreateDirectory(args[2]);
        var n = 0;
        foreach (var (_, bytes) in FuzzSeeds.For(target).DistinctBy(s => Convert.ToHexString(s.Bytes)))
        {
            // AFL wants small seeds; the big ones are in the smoke run already.
            if (bytes.Length <= 16 * 1024)
            {
                File.WriteAllBytes(Path.Combine(args[2], (n++).ToString("D4", CultureInfo.InvariantCulture)), bytes);
            }
        }

        return 0;
    case "dict" when args.Length == 3 && FuzzTargets.Find(args[1]) is { } target:
        File.WriteAllLines(args[2], target.Dictionary.Select(t => "\"" + string.Concat(System.Text.Encoding.UTF8.GetBytes(t).Select(b => b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}")) + "\""));
        return 0;
    case "run" when args.Length == 2 && FuzzTargets.Find(args[1]) is { } target:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            _ = target.Run(buffer.ToArray());
        });
        return 0;
    case "replay" when args.Length >= 3 && FuzzTargets.Find(args[1]) is { } target:
        var failed = 0;
        foreach (var file in args.Skip(2))
        {
            try
            {
                _ = target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // Any exception is the finding to print.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"{Path.GetFileName(file)}: {FuzzCampaign.Signature(target, File.ReadAllBytes(file))}\n  {e.ToString().Replace("\n", "\n  ", StringComparison.Ordinal)}");
            }
        }

        return failed == 0 ? 0 : 1;
    default:
        return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: Emperor.Fuzz.Afl list | seeds TARGET DIR | dict TARGET FILE | run TARGET | replay TARGET FILE...");
    return 2;
}
