namespace Emperor.IntegrationTests;

/// <summary>What a finished child process wrote and how it ended.</summary>
internal sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError);
