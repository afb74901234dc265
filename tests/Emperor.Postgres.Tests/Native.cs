using System.Runtime.InteropServices;

namespace Emperor.Postgres.Tests;

/// <summary>The libc calls these tests need.</summary>
internal static partial class Native
{

    [LibraryImport("libc")]
    public static partial uint geteuid();
}
