namespace Emperor.TestVassal;

/// <summary>Diagnostics go to stderr, one line each, prefixed so tests can grep them.</summary>
internal static class Log
{
    public static void Line(string message) => Console.Error.WriteLine("testvassal: " + message);
}
