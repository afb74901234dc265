using System.Text;

namespace Emperor.Fuzz.Tests.Harness;

/// <summary>
/// Byte-level mutations in the AFL "havoc" style, plus the structural ones parsers of nested text care about:
/// splicing two inputs, deep nesting of an opener token, huge repeats of a slice, truncation. Deterministic for a
/// given <see cref="Random"/> seed, so a failing run can be replayed with FUZZ_SEED.
/// </summary>
internal sealed class Mutator
{
    /// <summary>Inputs never grow past this: big enough for every limit check, small enough to stay fast.</summary>
    public const int MaxLength = 256 * 1024;

    private static readonly byte[] s_interesting = [0, 1, 0x7F, 0x80, 0xC0, 0xC3, 0xE2, 0xEF, 0xBB, 0xBF, 0xFE, 0xFF, (byte)'\n', (byte)'\r', (byte)'\t', (byte)' ', (byte)'%', (byte)'$', (byte)'@', (byte)'(', (byte)')', (byte)'\\', (byte)'"', (byte)'\'', (byte)'9', (byte)'-'];

    private readonly Random _random;
    private readonly byte[][] _tokens;

    public Mutator(Random random, IReadOnlyList<string> dictionary)
    {
        _random = random;
        _tokens = [.. dictionary.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>A mutant of <paramref name="input"/>; <paramref name="other"/> is the partner for splicing.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        var data = new List<byte>(input);
        var rounds = 1 << _random.Next(0, 4);
        for (var r = 0; r < rounds; r++)
        {
            MutateOnce(data, other);
            if (data.Count > MaxLength)
            {
                data.RemoveRange(MaxLength, data.Count - MaxLength);
            }
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, byte[] other)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count + 1);
        switch (_random.Next(14))
        {
            case 0 when data.Count > 0:
                data[Math.Min(at, data.Count - 1)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[Math.Min(at, data.Count - 1)] = (byte)_random.Next(256);
                break;
            case 2 when data.Count > 0:
                data[Math.Min(at, data.Count - 1)] = s_interesting[_random.Next(s_interesting.Length)];
                break;
            case 3:
                data.InsertRange(at, RandomBytes(_random.Next(1, 9)));
                break;
            case 4 when data.Count > 0:
                var start = Math.Min(at, data.Count - 1);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 << _random.Next(0, 7)));
                break;
            case 5 or 6 when _tokens.Length > 0:
                data.InsertRange(at, _tokens[_random.Next(_tokens.Length)]);
                break;
            case 7 when _tokens.Length > 0:
                // Deep nesting: one of the first tokens (the openers) many times over.
                var opener = _tokens[_random.Next(Math.Min(4, _tokens.Length))];
                var times = _random.Next(8) != 0 ? _random.Next(2, 80) : _random.Next(80, 3000);
                data.InsertRange(at, Enumerable.Repeat(opener, times).SelectMany(t => t));
                break;
            case 8 when data.Count > 0:
                // Huge repeat of a slice.
                var from = _random.Next(data.Count);
                var length = Math.Min(data.Count - from, _random.Next(1, 32));
                var slice = data.GetRange(from, length);
                var copies = _random.Next(8) != 0 ? _random.Next(2, 16) : _random.Next(16, 4096);
                data.InsertRange(at, Enumerable.Repeat(slice, copies).SelectMany(s => s));
                break;
            case 9 when data.Count > 0:
                data.RemoveRange(at == data.Count ? data.Count - 1 : at, data.Count - (at == data.Count ? data.Count - 1 : at));
                break;
            case 10 when other.Length > 0:
                // Splice: our head, the other's tail.
                var cut = _random.Next(other.Length);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(cut).ToArray());
                break;
            case 11 when other.Length > 0:
                var o = _random.Next(other.Length);
                data.InsertRange(at, other.AsSpan(o, Math.Min(other.Length - o, _random.Next(1, 64))).ToArray());
                break;
            case 12 when data.Count > 1:
                // Swap two bytes far apart (reorders brackets and quotes).
                var i = _random.Next(data.Count);
                var j = _random.Next(data.Count);
                (data[i], data[j]) = (data[j], data[i]);
                break;
            default:
                data.Insert(at, s_interesting[_random.Next(s_interesting.Length)]);
                break;
        }
    }

    private byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        _random.NextBytes(bytes);
        return bytes;
    }
}
