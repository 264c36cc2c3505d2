using Microsoft.Extensions.Logging;

namespace Kmer.Worker;

/// <summary>Every log message of the worker, with stable event ids (1xxx socket, 2xxx connections, 3xxx calls, 4xxx database sessions, 5xxx spill directory, 6xxx high-frequency analysis).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Listening on {SocketPath} (server user {ServerUser}, admin users {AdminUsers})")]
    public static partial void Listening(ILogger logger, string socketPath, string serverUser, string adminUsers);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Removed a stale socket file {SocketPath}")]
    public static partial void StaleSocketRemoved(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Stopped listening; removed {SocketPath}")]
    public static partial void Stopped(ILogger logger, string socketPath);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Accepting a connection on {SocketPath} failed")]
    public static partial void AcceptFailed(ILogger logger, string socketPath, Exception exception);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Could not remove the socket file {SocketPath}")]
    public static partial void SocketRemoveFailed(ILogger logger, string socketPath, Exception exception);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Debug, Message = "Connection from pid {Pid} user {UserName} accepted as {Peer}")]
    public static partial void PeerAccepted(ILogger logger, int pid, string userName, string peer);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Connection from pid {Pid} user {UserName} (uid {Uid}) refused: not the server user nor an admin user")]
    public static partial void PeerRefused(ILogger logger, int pid, string userName, uint uid);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Connection from pid {Pid} refused: protocol version {ClientVersion}, worker speaks {WorkerVersion}")]
    public static partial void VersionMismatch(ILogger logger, int pid, int clientVersion, int workerVersion);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Connection from pid {Pid} closed after a protocol error {SqlState}: {ErrorMessage}")]
    public static partial void ProtocolError(ILogger logger, int pid, string sqlState, string errorMessage);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Connection from pid {Pid} closed")]
    public static partial void ConnectionClosed(ILogger logger, int pid);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Connection from pid {Pid} failed")]
    public static partial void ConnectionFailed(ILogger logger, int pid, Exception exception);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Handshake with pid {Pid} ({Client}) done, peer {Peer}")]
    public static partial void Handshake(ILogger logger, int pid, string client, string peer);

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Job {Job} started: {Handler} for backend {CallerPid}")]
    public static partial void JobStarted(ILogger logger, long job, string handler, int callerPid);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Job {Job} ({Handler}) ended: {Outcome}")]
    public static partial void JobEnded(ILogger logger, long job, string handler, string outcome);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Job {Job} ({Handler}) failed")]
    public static partial void JobFailed(ILogger logger, long job, string handler, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Call {CallId} to unknown handler {Handler} from pid {Pid}")]
    public static partial void UnknownHandler(ILogger logger, long callId, string handler, int pid);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Admin user {UserName} (pid {Pid}) tried to call {Handler}")]
    public static partial void AdminCallRefused(ILogger logger, string userName, int pid, string handler);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Job {Job} ({Handler}) cancel requested")]
    public static partial void CancelRequested(ILogger logger, long job, string handler);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Debug, Message = "Could not send the end of call {CallId}: the connection is gone")]
    public static partial void ReplyLost(ILogger logger, long callId, Exception exception);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "cancel_job for job {Job} from {Peer} user {UserName} (pid {Pid}): {Outcome}")]
    public static partial void CancelJobRequested(ILogger logger, long job, string peer, string userName, int pid, string outcome);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Debug, Message = "Ignored {Type} for call {CallId} seq {Seq} from pid {Pid}: no SPI request of a running call waits for it (cancelled meanwhile)")]
    public static partial void StaleSpiAnswer(ILogger logger, string type, long callId, long seq, int pid);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Job {Job} ({Handler}) returned a value after its SPI request {Seq} failed with {SqlState}; the call ends with that error")]
    public static partial void ResultAfterSpiError(ILogger logger, long job, string handler, long seq, string sqlState);

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Connection pool created for {Target} (at most {MaxPoolSize} connections)")]
    public static partial void DataSourceCreated(ILogger logger, string target, int maxPoolSize);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Could not connect back to PostgreSQL at {Target}")]
    public static partial void ConnectBackFailed(ILogger logger, string target, Exception exception);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Debug, Message = "Session opened at {Target} acting as role {Role}, snapshot {Snapshot}")]
    public static partial void SessionOpened(ILogger logger, string target, string role, string snapshot);

    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Created the spill directory {Path}")]
    public static partial void SpillRootCreated(ILogger logger, string path);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Job {Job} spills to {Path}")]
    public static partial void SpillDirectoryCreated(ILogger logger, long job, string path);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Job {Job}: removed {Path}")]
    public static partial void SpillDirectoryRemoved(ILogger logger, long job, string path);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Job {Job}: could not remove {Path}; kmersearch_delete_tempfiles() removes it later")]
    public static partial void SpillDirectoryRemoveFailed(ILogger logger, long job, string path, Exception exception);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "kmersearch_delete_tempfiles for database {DatabaseOid} in {Path}: {Deleted} files ({Bytes} bytes) deleted, {Errors} errors")]
    public static partial void TempFilesDeleted(ILogger logger, long databaseOid, string path, int deleted, long bytes, int errors);

    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Job {Job}: high-frequency analysis of {Table}.{Column} ({Kmer}): {Leaves} leaves, {Blocks} blocks, {Ranges} ranges, {Readers} readers, memory limit {MemoryLimitMB} MB")]
    public static partial void AnalysisStarted(ILogger logger, long job, string table, string column, string kmer, int leaves, long blocks, int ranges, int readers, int memoryLimitMB);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Job {Job}: scanned {Rows} rows with {Readers} readers in {Seconds:0.###} s; counting peaked at {PeakBytes} bytes, {SpillFiles} spill files")]
    public static partial void AnalysisScanned(ILogger logger, long job, long rows, int readers, double seconds, long peakBytes, int spillFiles);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Job {Job}: wrote {Keys} high-frequency keys of {Table}.{Column} (count > {Threshold}) in {Seconds:0.###} s")]
    public static partial void AnalysisWritten(ILogger logger, long job, int keys, string table, string column, long threshold, double seconds);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Debug, Message = "Job {Job}: analysis timeline (ms since the call began): resolved {Resolved:0.0}, counter {Counter:0.0}, sessions {Sessions:0.0}, locked and planned {Planned:0.0}, scanned {Scanned:0.0}, selected {Selected:0.0}, written {Written:0.0}")]
    public static partial void AnalysisTimeline(ILogger logger, long job, double resolved, double counter, double sessions, double planned, double scanned, double selected, double written);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Debug, Message = "Job {Job}: the closing garbage collection took {Milliseconds:0.0} ms")]
    public static partial void AnalysisCollected(ILogger logger, long job, double milliseconds);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Debug, Message = "Job {Job}: counting differs in shape from the last analysis; the memory kept from it was given back first")]
    public static partial void AnalysisCompacted(ILogger logger, long job);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Job {Job}: undid {Analyses} analyses ({Keys} keys) of {Table}.{Column}")]
    public static partial void AnalysisUndone(ILogger logger, long job, long analyses, long keys, string table, string column);
}
