namespace Kmer.Protocol;

/// <summary>The <c>level</c> of a <see cref="Notice"/>: the elevel the caller's session raises it at.</summary>
public enum NoticeLevel
{
    /// <summary><c>DEBUG</c>.</summary>
    Debug,

    /// <summary><c>INFO</c>.</summary>
    Info,

    /// <summary><c>NOTICE</c>.</summary>
    Notice,

    /// <summary><c>WARNING</c>.</summary>
    Warning,
}
