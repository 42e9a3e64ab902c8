// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IChaosChainRegistry} from "./interfaces/IChaosChainRegistry.sol";
import {IChaosCore} from "./interfaces/IChaosCore.sol";
import {IReputationRegistry} from "./interfaces/IReputationRegistry.sol";
import {IRewardsDistributor} from "./interfaces/IRewardsDistributor.sol";
import {IStudioProxy} from "./interfaces/IStudioProxy.sol";
import {Consensus} from "./libraries/Consensus.sol";
import {PayoutMath} from "./libraries/PayoutMath.sol";

/// @title RewardsDistributor
/// @notice Epoch registry, consensus, quality, payouts, verifier rewards and reputation publishing of the
/// ChaosChain protocol. The owner (the gateway's operator key) registers what happened in a studio (each
/// registration is checked against the studio's own state) and closes epochs, once each.
/// @dev Closing an epoch:
///  - the budget is the studio's reward escrow at close (never stakes), split equally between the epoch's registered
///    works once, before any payout, so results do not depend on the order of the works;
///  - per work (budget `B`): protocol fee `f x B` to the treasury, verifier pool `V = v x B`, worker pool
///    `P = B - fee - V`; the fee is charged only on works where at least one participant reached consensus;
///  - per participant: consensus over the *registered* verifiers who scored it ({Consensus}, weights = their current
///    stakes in the studio); a participant nobody scored is skipped; quality `q` with the module's dimension
///    weights; payout `P x weight_bps x q / 10^8`;
///  - per registered verifier: `credit` = sum over the participants it scored of its accuracy (bps, linear in its
///    mean absolute error against the consensus, zero from `accuracyTolerance` on; see
///    {Consensus-accuracyPacked}); reward = `V x credit / totalCredit`; reputation value = mean accuracy;
///  - everything rounds down; what is not paid stays in the studio's escrow. Payouts are credited to pull balances
///    by one `releaseFundsBatch` per work.
///  - reputation: per scored participant one feedback per dimension, all in one `giveFeedbackBatch`
///    (`value = consensus bps`, `valueDecimals = 2`, tag1 = dimension name, tag2 = studio address in lower-case hex, feedbackURI
///    `chaoschain:work:<dataHash>`, feedbackHash = dataHash); per rewarded verifier one feedback (`VALIDATOR_ACCURACY`,
///    `CONSENSUS_MATCH`, value = mean accuracy bps). A feedback the ReputationRegistry refuses (e.g. an identity
///    transferred to this contract, which would be self-feedback) is skipped, never a revert: no agent can block a
///    close (a worker's batch is refused or accepted as a whole, for per-agent reasons).
contract RewardsDistributor is IRewardsDistributor, Ownable {
    // ------------------------------------------------------------------------------------------------ types

    /// @dev One slot of configuration, read once per close.
    struct Config {
        uint16 protocolFeeBps;
        uint16 verifierShareBps;
        uint32 maxWorksPerEpoch;
        uint32 maxParticipantsPerWork;
        uint32 maxValidatorsPerWorker;
        uint32 alpha;
        uint32 accuracyToleranceBps;
    }

    /// @dev A registered work (dataHash is unique across studios and epochs: the EIP-712 hash binds both).
    struct WorkRecord {
        address studio;
        uint64 epoch;
    }

    /// @dev One slot per (studio, epoch): closing an epoch with work rewrites a non-zero slot (cheap). `workerPool`
    /// (set at close) is every work's worker pool `P`, from which a participant's payout is recomputed exactly.
    struct EpochState {
        uint64 workCount;
        bool closed;
        uint184 workerPool;
    }

    /// @dev Everything a close needs, kept in memory to stay clear of stack limits.
    struct CloseContext {
        IStudioProxy studio;
        uint64 epoch;
        IReputationRegistry reputation;
        address treasury;
        uint256 budget;
        uint256 dims;
        string[] dimNames;
        uint16[] dimWeights;
        string studioTag;
        Config cfg;
        uint256 totalPaid;
    }

    /// @dev Per-work accumulators.
    struct WorkContext {
        bytes32 dataHash;
        string feedbackUri;
        uint256 workerPool;
        address[] validators;
        uint256[] credit;
        uint256[] scoredCount;
        address[] payees;
        uint256[] amounts;
        uint256 payeeCount;
        bool anyConsensus;
        uint256 position;
    }

    // ------------------------------------------------------------------------------------------------ constants

    /// @notice Default protocol fee: 5% of a work's budget.
    uint16 public constant DEFAULT_PROTOCOL_FEE_BPS = 500;
    /// @notice Default verifier pool: 10% of a work's budget.
    uint16 public constant DEFAULT_VERIFIER_SHARE_BPS = 1000;
    /// @notice Default bound on works per epoch (checked at registration and at close).
    uint32 public constant DEFAULT_MAX_WORKS_PER_EPOCH = 16;
    /// @notice Default bound on participants per work.
    uint32 public constant DEFAULT_MAX_PARTICIPANTS_PER_WORK = 16;
    /// @notice Default bound on registered validators per work (hence per participant).
    uint32 public constant DEFAULT_MAX_VALIDATORS_PER_WORKER = 16;
    /// @notice Default consensus outlier multiplier: 3.00 x MAD (hundredths).
    uint32 public constant DEFAULT_ALPHA = 300;
    /// @notice Default mean absolute error (bps) at which a verifier's accuracy reaches zero: 25 points.
    uint32 public constant DEFAULT_ACCURACY_TOLERANCE_BPS = 2500;
    /// @notice `valueDecimals` of every feedback: scores are basis points, 8500 -> 85.00.
    uint8 public constant FEEDBACK_VALUE_DECIMALS = 2;

    string private constant _VALIDATOR_TAG1 = "VALIDATOR_ACCURACY";
    string private constant _VALIDATOR_TAG2 = "CONSENSUS_MATCH";
    string private constant _FEEDBACK_URI_PREFIX = "chaoschain:work:";
    /// @dev Dimensions kept inline in a consensus cell.
    uint256 private constant _INLINE_DIMS = 6;

    // ------------------------------------------------------------------------------------------------ state

    IChaosChainRegistry private immutable _registry;
    address private _treasury;
    Config private _config;

    mapping(address studio => mapping(uint64 epoch => EpochState)) private _epochs;
    mapping(address studio => mapping(uint64 epoch => mapping(uint256 index => bytes32))) private _epochWorks;
    mapping(address studio => uint64) private _currentEpoch;
    mapping(bytes32 dataHash => WorkRecord) private _works;
    mapping(bytes32 dataHash => address[]) private _workValidators;
    mapping(bytes32 dataHash => mapping(address validator => bool)) private _validatorRegistered;
    /// @dev Consensus results, two 128-bit cells per slot: participant p (position in the work) is cell p % 2 of slot
    /// p / 2. A cell: dimension count (bits 0..7; 0 = none recorded), quality (8..23), consensus of dimensions 0..5
    /// (24 + 16d) when there are at most six; otherwise every dimension is in `_consensusWide` (16d).
    mapping(bytes32 dataHash => mapping(uint256 pair => uint256)) private _consensusCells;
    mapping(bytes32 dataHash => mapping(address worker => uint256)) private _consensusWide;

    // ------------------------------------------------------------------------------------------------ events & errors

    /// @notice Emitted when the owner changes the consensus outlier multiplier (hundredths) or the accuracy tolerance.
    event ConsensusParamsUpdated(uint256 alpha, uint256 accuracyToleranceBps);

    /// @dev `alpha` must be 1..1_000_000 hundredths and the tolerance 1..10000 bps.
    error RewardsDistributorInvalidConsensusParams(uint256 alpha, uint256 accuracyToleranceBps);

    // ------------------------------------------------------------------------------------------------ constructor

    /// @param initialOwner the gateway's operator key
    /// @param registry the protocol address book (ChaosCore, ReputationRegistry)
    /// @param treasury where protocol fees go
    constructor(address initialOwner, IChaosChainRegistry registry, address treasury) Ownable(initialOwner) {
        if (address(registry) == address(0) || treasury == address(0)) revert RewardsDistributorZeroAddress();
        _registry = registry;
        _treasury = treasury;
        _config = Config({
            protocolFeeBps: DEFAULT_PROTOCOL_FEE_BPS,
            verifierShareBps: DEFAULT_VERIFIER_SHARE_BPS,
            maxWorksPerEpoch: DEFAULT_MAX_WORKS_PER_EPOCH,
            maxParticipantsPerWork: DEFAULT_MAX_PARTICIPANTS_PER_WORK,
            maxValidatorsPerWorker: DEFAULT_MAX_VALIDATORS_PER_WORKER,
            alpha: DEFAULT_ALPHA,
            accuracyToleranceBps: DEFAULT_ACCURACY_TOLERANCE_BPS
        });
    }

    // ------------------------------------------------------------------------------------------------ registration

    /// @inheritdoc IRewardsDistributor
    /// @dev Reverts {RewardsDistributorUnknownStudio} unless ChaosCore made `studio`, {RewardsDistributorEpochClosed},
    /// {RewardsDistributorWorkAlreadyRegistered}, {RewardsDistributorWorkNotFound} when the studio has no such work,
    /// {RewardsDistributorEpochMismatch} when it was submitted for another epoch, and the loop bounds
    /// ({RewardsDistributorTooManyParticipants}, {RewardsDistributorTooManyWorks}) so that a registered epoch can
    /// always be closed.
    function registerWork(address studio, uint64 epoch, bytes32 dataHash) external onlyOwner {
        _checkStudio(studio);
        EpochState storage state = _epochs[studio][epoch];
        if (state.closed) revert RewardsDistributorEpochClosed(studio, epoch);
        if (_works[dataHash].studio != address(0)) revert RewardsDistributorWorkAlreadyRegistered(dataHash);
        IStudioProxy proxy = IStudioProxy(studio);
        if (proxy.getWorkSubmitter(dataHash) == address(0)) revert RewardsDistributorWorkNotFound(studio, dataHash);
        (uint64 workEpoch, address[] memory participants,) = proxy.getWorkParticipation(dataHash);
        if (workEpoch != epoch) revert RewardsDistributorEpochMismatch(dataHash, workEpoch, epoch);
        Config memory cfg = _config;
        if (participants.length > cfg.maxParticipantsPerWork) {
            revert RewardsDistributorTooManyParticipants(dataHash, participants.length, cfg.maxParticipantsPerWork);
        }
        uint256 index = state.workCount;
        if (index + 1 > cfg.maxWorksPerEpoch) revert RewardsDistributorTooManyWorks(index + 1, cfg.maxWorksPerEpoch);

        _works[dataHash] = WorkRecord({studio: studio, epoch: epoch});
        _epochWorks[studio][epoch][index] = dataHash;
        // casting to 'uint64' is safe because index < maxWorksPerEpoch <= 2^32 - 1.
        // forge-lint: disable-next-line(unsafe-typecast)
        state.workCount = uint64(index + 1);
        emit WorkRegistered(studio, epoch, dataHash);
    }

    /// @inheritdoc IRewardsDistributor
    /// @dev Reverts {RewardsDistributorZeroAddress}, {RewardsDistributorWorkNotRegistered},
    /// {RewardsDistributorEpochClosed}, {RewardsDistributorValidatorAlreadyRegistered},
    /// {RewardsDistributorValidatorDidNotScore} when the studio holds no vector of `validator` for any participant,
    /// and {RewardsDistributorTooManyValidators} (with `worker` = zero: the bound of the whole work) beyond the
    /// per-worker bound, so that a registered epoch can always be closed.
    function registerValidator(bytes32 dataHash, address validator) external onlyOwner {
        if (validator == address(0)) revert RewardsDistributorZeroAddress();
        WorkRecord memory work = _works[dataHash];
        if (work.studio == address(0)) revert RewardsDistributorWorkNotRegistered(dataHash);
        if (_epochs[work.studio][work.epoch].closed) revert RewardsDistributorEpochClosed(work.studio, work.epoch);
        if (_validatorRegistered[dataHash][validator]) {
            revert RewardsDistributorValidatorAlreadyRegistered(dataHash, validator);
        }
        if (IStudioProxy(work.studio).getValidatorScoreCount(dataHash, validator) == 0) {
            revert RewardsDistributorValidatorDidNotScore(dataHash, validator);
        }
        address[] storage validators = _workValidators[dataHash];
        uint256 count = validators.length + 1;
        uint256 max = _config.maxValidatorsPerWorker;
        if (count > max) revert RewardsDistributorTooManyValidators(dataHash, address(0), count, max);

        _validatorRegistered[dataHash][validator] = true;
        validators.push(validator);
        emit ValidatorRegistered(dataHash, validator, work.studio, work.epoch);
    }

    // ------------------------------------------------------------------------------------------------ close

    /// @inheritdoc IRewardsDistributor
    /// @dev Reverts {RewardsDistributorEpochClosed} on a second close and {RewardsDistributorTooManyWorks} /
    /// {RewardsDistributorTooManyParticipants} / {RewardsDistributorTooManyValidators} before any payout when a bound
    /// was lowered after registration. The closed flag is set before any external call. An epoch without registered
    /// work closes without touching the studio (nothing is paid). See the contract NatSpec for the arithmetic.
    function closeEpoch(address studio, uint64 epoch) external onlyOwner {
        EpochState storage state = _epochs[studio][epoch];
        if (state.closed) revert RewardsDistributorEpochClosed(studio, epoch);
        Config memory cfg = _config;
        uint256 workCount = state.workCount;
        if (workCount > cfg.maxWorksPerEpoch) revert RewardsDistributorTooManyWorks(workCount, cfg.maxWorksPerEpoch);
        bytes32[] memory works = _loadEpochWork(studio, epoch, workCount);

        state.closed = true;
        if (epoch >= _currentEpoch[studio]) {
            _currentEpoch[studio] = epoch == type(uint64).max ? epoch : epoch + 1;
        }

        uint256 totalPaid;
        if (workCount != 0) {
            CloseContext memory ctx = _openContext(studio, epoch, workCount, cfg);
            (,, uint256 workerPool) = PayoutMath.split(ctx.budget, cfg.protocolFeeBps, cfg.verifierShareBps);
            // casting to uint184 is safe: the pool is part of the studio's escrow, far below 2^184 wei
            // forge-lint: disable-next-line(unsafe-typecast)
            state.workerPool = uint184(workerPool);
            for (uint256 i; i < workCount; ++i) {
                _closeWork(ctx, works[i]);
            }
            totalPaid = ctx.totalPaid;
        }
        emit EpochClosed(studio, epoch, workCount, totalPaid);
    }

    // ------------------------------------------------------------------------------------------------ owner settings

    /// @inheritdoc IRewardsDistributor
    function setTreasury(address treasury) external onlyOwner {
        if (treasury == address(0)) revert RewardsDistributorZeroAddress();
        address previous = _treasury;
        _treasury = treasury;
        emit TreasuryUpdated(previous, treasury);
    }

    /// @inheritdoc IRewardsDistributor
    /// @dev Reverts {RewardsDistributorInvalidShares} when the two shares exceed 10000 bps together.
    function setShares(uint256 protocolFeeBps, uint256 verifierShareBps) external onlyOwner {
        if (protocolFeeBps + verifierShareBps > PayoutMath.BPS) {
            revert RewardsDistributorInvalidShares(protocolFeeBps, verifierShareBps);
        }
        // casting to 'uint16' is safe because both values are <= 10000 (checked above).
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.protocolFeeBps = uint16(protocolFeeBps);
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.verifierShareBps = uint16(verifierShareBps);
        emit SharesUpdated(protocolFeeBps, verifierShareBps);
    }

    /// @inheritdoc IRewardsDistributor
    /// @dev Reverts {RewardsDistributorInvalidLimits} when a bound is zero or above 2^32 - 1.
    function setLimits(uint256 maxWorksPerEpoch, uint256 maxParticipantsPerWork, uint256 maxValidatorsPerWorker)
        external
        onlyOwner
    {
        if (
            maxWorksPerEpoch == 0 || maxParticipantsPerWork == 0 || maxValidatorsPerWorker == 0
                || maxWorksPerEpoch > type(uint32).max || maxParticipantsPerWork > type(uint32).max
                || maxValidatorsPerWorker > type(uint32).max
        ) revert RewardsDistributorInvalidLimits();
        // casting to 'uint32' is safe because every bound is <= 2^32 - 1 (checked above).
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.maxWorksPerEpoch = uint32(maxWorksPerEpoch);
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.maxParticipantsPerWork = uint32(maxParticipantsPerWork);
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.maxValidatorsPerWorker = uint32(maxValidatorsPerWorker);
        emit LimitsUpdated(maxWorksPerEpoch, maxParticipantsPerWork, maxValidatorsPerWorker);
    }

    /// @notice Sets the consensus outlier multiplier `alpha` (hundredths: 300 = 3.00 x MAD) and the verifier accuracy
    /// tolerance (the mean absolute error, in bps, at which accuracy reaches zero). Owner only.
    /// Emits {ConsensusParamsUpdated}. Reverts {RewardsDistributorInvalidConsensusParams} outside 1..1_000_000 and
    /// 1..10000.
    function setConsensusParams(uint256 alpha, uint256 accuracyToleranceBps) external onlyOwner {
        if (alpha == 0 || alpha > 1_000_000 || accuracyToleranceBps == 0 || accuracyToleranceBps > PayoutMath.BPS) {
            revert RewardsDistributorInvalidConsensusParams(alpha, accuracyToleranceBps);
        }
        // casting to 'uint32' is safe because both values are <= 1_000_000 (checked above).
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.alpha = uint32(alpha);
        // forge-lint: disable-next-line(unsafe-typecast)
        _config.accuracyToleranceBps = uint32(accuracyToleranceBps);
        emit ConsensusParamsUpdated(alpha, accuracyToleranceBps);
    }

    // ------------------------------------------------------------------------------------------------ reads

    /// @inheritdoc IRewardsDistributor
    function workRegistered(address studio, uint64 epoch, bytes32 dataHash) external view returns (bool) {
        WorkRecord memory work = _works[dataHash];
        return work.studio != address(0) && work.studio == studio && work.epoch == epoch;
    }

    /// @inheritdoc IRewardsDistributor
    function validatorRegistered(bytes32 dataHash, address validator) external view returns (bool) {
        return _validatorRegistered[dataHash][validator];
    }

    /// @inheritdoc IRewardsDistributor
    function isEpochClosed(address studio, uint64 epoch) external view returns (bool) {
        return _epochs[studio][epoch].closed;
    }

    /// @inheritdoc IRewardsDistributor
    function currentEpoch(address studio) external view returns (uint64) {
        return _currentEpoch[studio];
    }

    /// @inheritdoc IRewardsDistributor
    function getEpochWork(address studio, uint64 epoch) external view returns (bytes32[] memory) {
        return _loadEpochWork(studio, epoch, _epochs[studio][epoch].workCount);
    }

    /// @inheritdoc IRewardsDistributor
    function getWorkValidators(bytes32 dataHash) external view returns (address[] memory) {
        return _workValidators[dataHash];
    }

    /// @notice Studio and epoch a work was registered for (zero studio = not registered).
    function getWorkRegistration(bytes32 dataHash) external view returns (address studio, uint64 epoch) {
        WorkRecord memory work = _works[dataHash];
        return (work.studio, work.epoch);
    }

    /// @notice Consensus recorded at close for a participant of a work: one value per dimension (bps), the quality
    /// scalar (bps) and the payout credited (wei). Empty vector and zeros when none was recorded (epoch not closed,
    /// or nobody scored the participant).
    function getConsensus(bytes32 dataHash, address worker)
        external
        view
        returns (uint16[] memory scores, uint16 quality, uint256 payout)
    {
        WorkRecord memory work = _works[dataHash];
        if (work.studio == address(0)) return (scores, 0, 0);
        EpochState memory state = _epochs[work.studio][work.epoch];
        if (!state.closed) return (scores, 0, 0);
        (, address[] memory participants, uint16[] memory weights) =
            IStudioProxy(work.studio).getWorkParticipation(dataHash);
        uint256 p;
        while (p < participants.length && participants[p] != worker) ++p;
        if (p == participants.length) return (scores, 0, 0);
        uint256 cell = (_consensusCells[dataHash][p >> 1] >> ((p & 1) << 7)) & type(uint128).max;
        uint256 dims = cell & 0xff;
        if (dims == 0) return (scores, 0, 0);
        uint256 packed = dims <= _INLINE_DIMS ? cell >> 24 : _consensusWide[dataHash][worker];
        scores = new uint16[](dims);
        for (uint256 d; d < dims; ++d) {
            // casting to 'uint16' is safe because the value is masked to 16 bits.
            // forge-lint: disable-next-line(unsafe-typecast)
            scores[d] = uint16((packed >> (16 * d)) & 0xffff);
        }
        // casting to 'uint16' is safe because the value is masked to 16 bits.
        // forge-lint: disable-next-line(unsafe-typecast)
        quality = uint16((cell >> 8) & 0xffff);
        payout = PayoutMath.workerPayout(state.workerPool, weights[p], quality);
    }

    /// @notice Consensus outlier multiplier (hundredths) and verifier accuracy tolerance (bps).
    function getConsensusParams() external view returns (uint256 alpha, uint256 accuracyToleranceBps) {
        Config memory cfg = _config;
        return (cfg.alpha, cfg.accuracyToleranceBps);
    }

    /// @inheritdoc IRewardsDistributor
    function getRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IRewardsDistributor
    function getTreasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IRewardsDistributor
    function getShares() external view returns (uint256 protocolFeeBps, uint256 verifierShareBps) {
        Config memory cfg = _config;
        return (cfg.protocolFeeBps, cfg.verifierShareBps);
    }

    /// @inheritdoc IRewardsDistributor
    function getLimits()
        external
        view
        returns (uint256 maxWorksPerEpoch, uint256 maxParticipantsPerWork, uint256 maxValidatorsPerWorker)
    {
        Config memory cfg = _config;
        return (cfg.maxWorksPerEpoch, cfg.maxParticipantsPerWork, cfg.maxValidatorsPerWorker);
    }

    // ------------------------------------------------------------------------------------------------ internals

    function _loadEpochWork(address studio, uint64 epoch, uint256 count) private view returns (bytes32[] memory list) {
        mapping(uint256 => bytes32) storage works = _epochWorks[studio][epoch];
        list = new bytes32[](count);
        for (uint256 i; i < count; ++i) {
            list[i] = works[i];
        }
    }

    function _checkStudio(address studio) private view {
        address core = _registry.getChaosCore();
        if (studio == address(0) || core == address(0) || !IChaosCore(core).isStudio(studio)) {
            revert RewardsDistributorUnknownStudio(studio);
        }
    }

    function _openContext(address studio, uint64 epoch, uint256 workCount, Config memory cfg)
        private
        view
        returns (CloseContext memory ctx)
    {
        IStudioProxy proxy = IStudioProxy(studio);
        ctx.studio = proxy;
        ctx.epoch = epoch;
        ctx.cfg = cfg;
        ctx.treasury = _treasury;
        ctx.reputation = IReputationRegistry(_registry.getReputationRegistry());
        // Escrow only (never stakes), split once: every work gets the same budget whatever the order.
        ctx.budget = PayoutMath.budgetPerWork(proxy.getEscrowBalance(), workCount);
        (ctx.dimNames, ctx.dimWeights) = proxy.getDimensionConfig();
        ctx.dims = ctx.dimWeights.length;
        ctx.studioTag = _toHex(uint160(studio), 20);
    }

    function _closeWork(CloseContext memory ctx, bytes32 dataHash) private {
        (uint64 workEpoch, IStudioProxy.WorkerScores[] memory workers) = ctx.studio.getWorkScores(dataHash);
        if (workEpoch != ctx.epoch) revert RewardsDistributorEpochMismatch(dataHash, workEpoch, ctx.epoch);
        uint256 participantCount = workers.length;
        if (participantCount > ctx.cfg.maxParticipantsPerWork) {
            revert RewardsDistributorTooManyParticipants(dataHash, participantCount, ctx.cfg.maxParticipantsPerWork);
        }

        (uint256 fee, uint256 verifierPool, uint256 workerPool) =
            PayoutMath.split(ctx.budget, ctx.cfg.protocolFeeBps, ctx.cfg.verifierShareBps);
        WorkContext memory work;
        work.dataHash = dataHash;
        work.feedbackUri = string.concat(_FEEDBACK_URI_PREFIX, _toHex(uint256(dataHash), 32));
        work.workerPool = workerPool;
        work.validators = _workValidators[dataHash];
        uint256 validatorCount = work.validators.length;
        work.credit = new uint256[](validatorCount);
        work.scoredCount = new uint256[](validatorCount);
        work.payees = new address[](participantCount + validatorCount + 1);
        work.amounts = new uint256[](participantCount + validatorCount + 1);

        for (uint256 p; p < participantCount; ++p) {
            work.position = p;
            _closeParticipant(ctx, work, workers[p]);
        }
        if (work.anyConsensus) {
            _pay(work, ctx.treasury, fee);
            _rewardValidators(ctx, work, verifierPool);
        }

        uint256 payeeCount = work.payeeCount;
        if (payeeCount != 0) {
            address[] memory payees = work.payees;
            uint256[] memory amounts = work.amounts;
            // Shrinking a memory array in place: both arrays were allocated with a larger length and nothing is
            // allocated after them that depends on it.
            assembly ("memory-safe") {
                mstore(payees, payeeCount)
                mstore(amounts, payeeCount)
            }
            uint256 paid;
            for (uint256 i; i < payeeCount; ++i) {
                paid += amounts[i];
            }
            ctx.totalPaid += paid;
            ctx.studio.releaseFundsBatch(payees, amounts);
        }
    }

    function _closeParticipant(CloseContext memory ctx, WorkContext memory work, IStudioProxy.WorkerScores memory ws)
        private
    {
        (uint256[] memory packed, uint256[] memory stakes, uint256[] memory index) =
            _selectRegistered(work.validators, ws);
        if (packed.length == 0) return; // nobody (registered) scored this participant: skipped, never a revert
        if (packed.length > ctx.cfg.maxValidatorsPerWorker) {
            revert RewardsDistributorTooManyValidators(
                work.dataHash, ws.worker, packed.length, ctx.cfg.maxValidatorsPerWorker
            );
        }

        uint16[] memory consensus = Consensus.consensusPacked(packed, stakes, ctx.dims, ctx.cfg.alpha);
        uint256 consensusPacked = Consensus.pack(consensus);
        uint16 q = Consensus.quality(consensus, ctx.dimWeights);
        uint256 payout = PayoutMath.workerPayout(work.workerPool, ws.weight, q);
        _record(work, ws.worker, consensusPacked, consensus.length, q);
        work.anyConsensus = true;

        _credit(ctx, work, packed, index, consensusPacked);

        _pay(work, ws.worker, payout);
        emit WorkerRewarded(address(ctx.studio), ctx.epoch, ws.worker, work.dataHash, payout, q);
        _publishWorker(ctx, work, ws.worker, consensus);
    }

    /// @dev The vectors and stakes of the registered validators among `ws`'s scorers, and each one's position in the
    /// work's validator list (for verifier credit); unregistered scorers are ignored.
    function _selectRegistered(address[] memory validators, IStudioProxy.WorkerScores memory ws)
        private
        pure
        returns (uint256[] memory packed, uint256[] memory stakes, uint256[] memory index)
    {
        uint256 raw = ws.validators.length;
        packed = new uint256[](raw);
        stakes = new uint256[](raw);
        index = new uint256[](raw);
        uint256 m;
        for (uint256 i; i < raw; ++i) {
            (bool found, uint256 j) = _indexOf(validators, ws.validators[i]);
            if (!found) continue;
            packed[m] = ws.packedVectors[i];
            stakes[m] = ws.stakes[i];
            index[m] = j;
            ++m;
        }
        // Shrinking memory arrays in place: nothing was allocated after them.
        assembly ("memory-safe") {
            mstore(packed, m)
            mstore(stakes, m)
            mstore(index, m)
        }
    }

    /// @dev Adds each scorer's accuracy against the consensus to its credit (`index[k]` = its position in the
    /// work's validator list).
    function _credit(
        CloseContext memory ctx,
        WorkContext memory work,
        uint256[] memory packed,
        uint256[] memory index,
        uint256 consensusPacked
    ) private pure {
        uint256 dims = ctx.dims;
        uint256 tolerance = ctx.cfg.accuracyToleranceBps;
        uint256[] memory credit = work.credit;
        uint256[] memory scoredCount = work.scoredCount;
        uint256 m = packed.length;
        for (uint256 k; k < m; ++k) {
            uint256 j = index[k];
            uint256 accuracy = Consensus.accuracyBetweenPacked(packed[k], consensusPacked, dims, tolerance);
            // cannot overflow: at most maxParticipantsPerWork additions of values <= 10000
            unchecked {
                credit[j] += accuracy;
                ++scoredCount[j];
            }
        }
    }

    function _rewardValidators(CloseContext memory ctx, WorkContext memory work, uint256 pool) private {
        uint256 n = work.validators.length;
        uint256 totalCredit;
        for (uint256 j; j < n; ++j) {
            totalCredit += work.credit[j];
        }
        for (uint256 j; j < n; ++j) {
            uint256 count = work.scoredCount[j];
            if (count == 0) continue;
            address validator = work.validators[j];
            uint256 amount = PayoutMath.proRata(pool, work.credit[j], totalCredit);
            uint256 meanAccuracy = work.credit[j] / count;
            _pay(work, validator, amount);
            emit ValidatorRewarded(address(ctx.studio), ctx.epoch, validator, work.dataHash, amount, meanAccuracy);
            _publishValidator(ctx, work, validator, meanAccuracy);
        }
    }

    function _publishWorker(CloseContext memory ctx, WorkContext memory work, address worker, uint16[] memory consensus)
        private
    {
        if (address(ctx.reputation) == address(0)) return;
        uint256 agentId = ctx.studio.getAgentId(worker);
        if (agentId == 0) return;
        uint256 dims = consensus.length;
        int128[] memory values = new int128[](dims);
        for (uint256 d; d < dims; ++d) {
            values[d] = int128(uint128(consensus[d]));
        }
        uint256 published;
        // one call per worker: the registry refuses a batch as a whole, for per-agent reasons (unknown agent,
        // self-feedback), exactly as it would refuse each of its feedbacks
        try ctx.reputation
            .giveFeedbackBatch(
                agentId,
                values,
                FEEDBACK_VALUE_DECIMALS,
                ctx.dimNames,
                ctx.studioTag,
                "",
                work.feedbackUri,
                work.dataHash
            ) {
            published = dims;
        } catch {}
        emit ReputationPublished(address(ctx.studio), ctx.epoch, agentId, work.dataHash, published);
    }

    function _publishValidator(CloseContext memory ctx, WorkContext memory work, address validator, uint256 accuracy)
        private
    {
        if (address(ctx.reputation) == address(0)) return;
        uint256 agentId = ctx.studio.getAgentId(validator);
        if (agentId == 0) return;
        uint256 published;
        // casting to 'int128' is safe because accuracy is a mean of values <= 10000.
        // forge-lint: disable-next-line(unsafe-typecast)
        int128 value = int128(uint128(accuracy));
        try ctx.reputation
            .giveFeedback(
                agentId,
                value,
                FEEDBACK_VALUE_DECIMALS,
                _VALIDATOR_TAG1,
                _VALIDATOR_TAG2,
                "",
                work.feedbackUri,
                work.dataHash
            ) {
            published = 1;
        } catch {}
        emit ReputationPublished(address(ctx.studio), ctx.epoch, agentId, work.dataHash, published);
    }

    function _pay(WorkContext memory work, address to, uint256 amount) private pure {
        if (amount == 0) return;
        uint256 i = work.payeeCount;
        work.payees[i] = to;
        work.amounts[i] = amount;
        work.payeeCount = i + 1;
    }

    /// @dev `consensusPacked`: dimension d at bits [16d, 16d + 16) (at most 16 dimensions). The payout is not
    /// stored: {getConsensus} recomputes it from the epoch's worker pool, the participant's weight and `q`.
    function _record(WorkContext memory work, address worker, uint256 consensusPacked, uint256 dims, uint16 q) private {
        uint256 cell = dims | (uint256(q) << 8);
        if (dims <= _INLINE_DIMS) cell |= consensusPacked << 24;
        else _consensusWide[work.dataHash][worker] = consensusPacked;
        uint256 p = work.position;
        mapping(uint256 => uint256) storage cells = _consensusCells[work.dataHash];
        cells[p >> 1] = cells[p >> 1] | (cell << ((p & 1) << 7));
    }

    /// @dev `0x` + the low `byteLength` bytes of `value` in lower-case hex, as {Strings-toHexString} writes them
    /// (without its cost: one byte write per digit).
    function _toHex(uint256 value, uint256 byteLength) private pure returns (string memory s) {
        assembly ("memory-safe") {
            s := mload(0x40)
            let digits := shl(1, byteLength)
            mstore(s, add(digits, 2))
            let p := add(s, 0x20)
            mstore(p, 0) // clear the last word before the byte writes (and the padding after them)
            mstore(add(p, 0x20), 0)
            mstore(add(p, 0x40), 0)
            mstore8(p, 0x30)
            mstore8(add(p, 1), 0x78)
            let table := "0123456789abcdef"
            for { let i := 0 } lt(i, digits) { i := add(i, 1) } {
                let nibble := and(shr(shl(2, sub(sub(digits, 1), i)), value), 0xf)
                mstore8(add(p, add(2, i)), byte(nibble, table))
            }
            mstore(0x40, add(p, and(add(add(digits, 2), 31), not(31))))
        }
    }

    function _indexOf(address[] memory list, address who) private pure returns (bool found, uint256 index) {
        assembly ("memory-safe") {
            let n := mload(list)
            let p := add(list, 0x20)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                if eq(mload(add(p, shl(5, i))), who) {
                    found := 1
                    index := i
                    break
                }
            }
        }
    }
}
