namespace Emperor.Testing;

/// <summary>A soft/hard rlimit pair as reported by testvassal; null means RLIM_INFINITY ("unlimited").</summary>
public readonly record struct ResourceLimit(ulong? Soft, ulong? Hard);
