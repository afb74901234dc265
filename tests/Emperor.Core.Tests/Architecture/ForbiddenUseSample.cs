using System.Diagnostics;
using System.Net.Sockets;

namespace Emperor.Core.Tests.Architecture;

/// <summary>
/// Uses everything <see cref="ForbiddenUse.InCore"/> forbids, so this test assembly holds each reference and the
/// checker is seen to find them (a checker that found nothing would pass Core for the wrong reason). Never called.
/// </summary>
internal static class ForbiddenUseSample
{
    public static object[] Sins(string path) =>
    [
        File.ReadAllText(path),
        new FileInfo(path).Length,
        Directory.Exists(path),
        new DirectoryInfo(path).Name,
        Environment.GetEnvironmentVariable("HOME") ?? "",
        DateTime.Now,
        DateTime.UtcNow,
        DateTimeOffset.UtcNow,
        Process.GetProcessById(1).ProcessName,
        new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified).Handle,
    ];
}
