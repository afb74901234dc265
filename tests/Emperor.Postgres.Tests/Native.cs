using System.Runtime.InteropServices;

namespace Emperor.Postgres.Tests;

/// <summary>The libc calls these tests need.</summary>
internal static partial class Native
{
    public const int Sigkill = 9;
    public const int Sigterm = 15;

    [LibraryImport("libc")]
    public static partial uint geteuid();
}
