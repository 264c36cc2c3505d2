namespace Kmer.Cli;

/// <summary>How a <see cref="DoctorCheck"/> came out.</summary>
public enum DoctorStatus
{
    /// <summary>Fine.</summary>
    Ok,

    /// <summary>Works, but worth a look; does not change the exit code.</summary>
    Warn,

    /// <summary>Broken; <c>kmer-cli doctor</c> exits 1.</summary>
    Fail,
}

/// <summary>One finding of <c>kmer-cli doctor</c>.</summary>
/// <param name="Check">Short name of what was checked (<c>postgres</c>, <c>preload</c>, …).</param>
/// <param name="Status">How it came out.</param>
/// <param name="Finding">What was found, in one line.</param>
/// <param name="Fix">What to do about it; null when <paramref name="Status"/> is <see cref="DoctorStatus.Ok"/>.</param>
public sealed record DoctorCheck(string Check, DoctorStatus Status, string Finding, string? Fix = null)
{
    /// <summary>A passed check.</summary>
    public static DoctorCheck Ok(string check, string finding) => new(check, DoctorStatus.Ok, finding);

    /// <summary>A warning with its fix.</summary>
    public static DoctorCheck Warn(string check, string finding, string fix) => new(check, DoctorStatus.Warn, finding, fix);

    /// <summary>A failure with its fix.</summary>
    public static DoctorCheck Fail(string check, string finding, string fix) => new(check, DoctorStatus.Fail, finding, fix);
}
