namespace Emperor.Postgres;

/// <summary>
/// One row of the vassal query as PostgreSQL sent it in text format (libpq's view, as uWSGI reads it): raw bytes,
/// so that a value that is not UTF-8 spoils its own row only. Columns past the sixth are not read.
/// </summary>
internal sealed record VassalRow
{
    /// <summary>1-based position in the result, for messages.</summary>
    public required int Number { get; init; }

    /// <summary>Column 1; null for SQL NULL.</summary>
    public required byte[]? Name { get; init; }

    /// <summary>Column 2; null for SQL NULL or when it was larger than the limit (see <see cref="ConfigSize"/>).</summary>
    public required byte[]? Config { get; init; }

    /// <summary>The size of column 2 in bytes (also when it was too large to be read).</summary>
    public required long ConfigSize { get; init; }

    /// <summary>Column 3 as text (seconds since the epoch, possibly fractional), null for NULL.</summary>
    public required string? Ts { get; init; }

    /// <summary>Column 4, when the query has it.</summary>
    public string? Uid { get; init; }

    /// <summary>Column 5, when the query has it.</summary>
    public string? Gid { get; init; }

    /// <summary>Column 6 (on-demand socket), when the query has it.</summary>
    public string? Socket { get; init; }

    /// <summary>A digest of every value read: the same row version gives the same number within this process.</summary>
    public int Version()
    {
        var h = new HashCode();
        h.AddBytes(Name ?? [0xFF, 0]);
        h.AddBytes(Config ?? [0xFF, 1]);
        h.Add(ConfigSize);
        h.Add(Ts);
        h.Add(Uid);
        h.Add(Gid);
        h.Add(Socket);
        return h.ToHashCode();
    }
}
