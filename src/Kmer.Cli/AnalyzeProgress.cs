namespace Kmer.Cli;

/// <summary>
/// Shows the progress of <c>kmer-cli analyze</c>: fed with the server's
/// notices (from the analysing connection), the samples of
/// <c>kmersearch_worker_status()</c> (from the polling connection) and clock
/// ticks, from different threads, so implementations lock.
/// </summary>
public abstract class AnalyzeProgress
{
    /// <summary>A notice arrived on the analysing connection.</summary>
    public abstract void OnNotice(AnalyzeNotice notice);

    /// <summary>The polling connection got an answer about the job.</summary>
    public abstract void OnSample(AnalyzeJobSample sample);

    /// <summary>Time passed; a display that shows the elapsed time redraws.</summary>
    public abstract void OnTick(DateTimeOffset now);

    /// <summary>The call ended (<paramref name="succeeded"/>: with a result); the display is left so that the next output starts on a new line.</summary>
    public abstract void Finish(DateTimeOffset now, bool succeeded);
}
