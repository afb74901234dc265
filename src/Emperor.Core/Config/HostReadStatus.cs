namespace Emperor.Core.Config;

/// <summary>Outcome of an <see cref="IConfigHost"/> read.</summary>
internal enum HostReadStatus
{
    /// <summary>The bytes were read.</summary>
    Ok,

    /// <summary>The source could not be read; <see cref="HostReadResult.Error"/> says why.</summary>
    Failed,

    /// <summary>The source is larger than the limit; <see cref="HostReadResult.Size"/> is its size (or a lower bound).</summary>
    TooLarge,

    /// <summary>The host has no such source (for example no pushed emperor:// config).</summary>
    NotAvailable,
}
