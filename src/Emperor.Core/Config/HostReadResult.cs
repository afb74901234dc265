namespace Emperor.Core.Config;

/// <summary>Bytes read by the host from a file, a command's standard output or the Emperor's config link.</summary>
internal sealed record HostReadResult
{
    private HostReadResult(HostReadStatus status, ReadOnlyMemory<byte> data, string? error, long size, int exitCode)
    {
        Status = status;
        Data = data;
        Error = error;
        Size = size;
        ExitCode = exitCode;
    }

    public HostReadStatus Status { get; }

    /// <summary>The bytes (empty unless <see cref="Status"/> is <see cref="HostReadStatus.Ok"/>).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Why the read failed, as the OS says it (e.g. "No such file or directory").</summary>
    public string? Error { get; }

    /// <summary>Size in bytes of the source when it was too large.</summary>
    public long Size { get; }

    /// <summary>Exit status of a command (0 for files).</summary>
    public int ExitCode { get; }

    public static HostReadResult Ok(ReadOnlyMemory<byte> data, int exitCode = 0) => new(HostReadStatus.Ok, data, null, data.Length, exitCode);

    public static HostReadResult Failed(string error) => new(HostReadStatus.Failed, ReadOnlyMemory<byte>.Empty, error, 0, 0);

    public static HostReadResult TooLarge(long size) => new(HostReadStatus.TooLarge, ReadOnlyMemory<byte>.Empty, null, size, 0);

    public static HostReadResult NotAvailable(string reason) => new(HostReadStatus.NotAvailable, ReadOnlyMemory<byte>.Empty, reason, 0, 0);
}
