/**
 * Simplified Chinese for every `say` template of the code (the key is the English, `{0}`… where
 * the values go). zh-CN.spec.ts fails when a template has no entry here, when an entry has no
 * template any more, or when an entry drops or adds a value.
 */
export const ZH_CN: Readonly<Record<string, string>> = {
  // Problem titles (one per code)
  'The request is not valid': '请求无效',
  'Authentication required': '需要身份验证',
  'Not allowed': '无权操作',
  'Not found': '未找到',
  'Already exists': '已存在',
  'Insufficient balance': '积分余额不足',
  'Out of stock': '库存不足',
  'Task full': '任务名额已满',
  'Fund exhausted': '积分资金余额不足',
  'Fund book closed': '积分资金账簿已结账',
  'fund {0}: book {1} is closed; acts go to {2}': '积分资金 {0} 的账簿 {1} 已结账，记账转入 {2}',
  'the rider already holds this act; the second hold goes back':
    '小哥已有这笔记录；重复的预留已退回',
  'Already reversed': '已冲正',
  'Already cancelled': '已撤销',
  'Already verified': '已核实',
  'Selection closed': '评选已结束',
  'Idempotency key reused with another request': '幂等键已用于另一个请求',
  'Idempotency key in use': '幂等键正在使用中',
  'Concurrent change': '并发修改冲突',
  'Not allowed by the point rules': '不符合积分规则',
  'Too many requests': '请求过于频繁',
  'Read model behind': '读模型尚未更新',
  'Store unavailable': '存储不可用',
  'Internal error': '服务器内部错误',

  // The HTTP layer
  'the request is not valid': '请求无效',
  'the path is not valid': '路径无效',
  'a valid bearer token is required': '需要有效的 Bearer 令牌',
  "the metrics need METRICS_TOKEN, or an admin's or an auditor's token, as a bearer token":
    '指标需要以 METRICS_TOKEN、管理员或审计员的令牌作为 Bearer 令牌',
  'the {0} role may not do this': '{0} 角色无权执行此操作',
  '{0}; retry in {1} s': '{0}，请在 {1} 秒后重试',
  'too many requests from {0}': '{0} 的请求过于频繁',
  'too many requests without a valid token': '没有有效令牌的请求过于频繁',
  'the URL is not valid': 'URL 无效',
  'the request headers are too large': '请求头过大',
  'the request took too long to arrive': '请求传输超时',
  'the request is not valid HTTP: a URL must percent-encode characters outside ASCII (张 is %E5%BC%A0)':
    '请求不是有效的 HTTP：URL 中的非 ASCII 字符必须百分号编码（“张”应写作 %E5%BC%A0）',
  'the job queue cannot be reached; retry later': '无法连接任务队列，请稍后重试',
  'the ledger store cannot be reached; nothing was written': '无法连接账本存储，未写入任何内容',
  'the request failed on the server; it has been logged': '服务器处理请求失败，已记录日志',
  'no such route': '没有这个接口',
  'this principal may not do that': '此账号无权执行此操作',
  'too many requests; retry later': '请求过于频繁，请稍后重试',
  'the request body is too large (at most {0} bytes)': '请求体过大（最多 {0} 字节）',
  'send application/json': '请以 application/json 格式发送',
  'the request body is not valid JSON': '请求体不是有效的 JSON',
  'the request body is nested more than {0} levels deep': '请求体嵌套超过 {0} 层',
  'the request body is not valid UTF-8': '请求体不是有效的 UTF-8',
  'the request body must be a JSON object, not null': '请求体必须是 JSON 对象，不能是 null',
  'a value in the request is out of range, or is not a cursor or position the ledger gave':
    '请求中的某个值超出范围，或不是账本给出的游标或位置',
  'read models have not reached position {0} within {1} ms': '读模型在 {1} 毫秒内未更新到位置 {0}',
  'Idempotency-Key must be 1-128 visible ASCII characters':
    'Idempotency-Key 必须是 1–128 个可见 ASCII 字符',
  'must be 1-128 visible ASCII characters': '必须是 1–128 个可见 ASCII 字符',
  'this Idempotency-Key was used for another request': '此 Idempotency-Key 已用于另一个请求',
  'the first request with this Idempotency-Key is still running; retry shortly':
    '使用此 Idempotency-Key 的第一个请求仍在处理中，请稍后重试',

  // Validation of fields
  'each value in {0}': '{0}中的每一项',
  '{0} must be an integer number': '{0} 必须是整数',
  '{0} must be a string': '{0} 必须是字符串',
  '{0} must be an array': '{0} 必须是数组',
  '{0} must not be less than {1}': '{0} 不能小于 {1}',
  '{0} must not be greater than {1}': '{0} 不能大于 {1}',
  '{0} must contain at least {1} elements': '{0} 至少要有 {1} 项',
  '{0} must contain no more than {1} elements': '{0} 最多只能有 {1} 项',
  '{0} must be one of the following values: {1}': '{0} 必须是以下值之一：{1}',
  '{0} must be longer than or equal to {1} characters': '{0} 至少要有 {1} 个字符',
  '{0} must be shorter than or equal to {1} characters': '{0} 最多只能有 {1} 个字符',
  'nested property {0} must be either object or array': '嵌套字段 {0} 必须是对象或数组',
  'property {0} should not exist': '不应有字段 {0}',
  '{0} must not hold control characters or broken text': '{0} 不能包含控制字符或残缺文字',
  '{0} must not be blank': '{0} 不能为空白',
  '{0} must not be null; leave it out instead': '{0} 不能为 null；不需要时请省略该字段',
  '1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit':
    '1–64 个字母、数字、点、连字符或下划线，并以字母或数字开头',
  '{0} must hold ids of {1}': '{0} 中的编号必须是{1}',
  '{0} must be {1}': '{0} 必须是{1}',
  '{0} must be a date and time with its offset, such as 2026-06-30T24:00:00+08:00 (the end of that day)':
    '{0} 必须是带时区偏移的日期时间，例如 2026-06-30T24:00:00+08:00（当天结束）',
  '{0} must be a date and time with its offset, such as 2026-12-03T20:00:00+08:00':
    '{0} 必须是带时区偏移的日期时间，例如 2026-12-03T20:00:00+08:00',
  '{0} must be the nextCursor of a previous page': '{0} 必须是上一页返回的 nextCursor',
  '{0} must be a stream name': '{0} 必须是事件流名称',
  '{0} must be 5–20 digits, spaces or dashes, with a + in front if need be':
    '{0} 必须是 5–20 位数字、空格或连字符，需要时可在开头加 +',
  '{0} must be community:{id}, street:{name} or district:{name}':
    '{0} 必须是 community:{id}、street:{name} 或 district:{name}',
  '{0} must be all, YYYY, YYYY-MM or YYYY-Www': '{0} 必须是 all、YYYY、YYYY-MM 或 YYYY-Www',
  '{0} must be a date written YYYY-MM-DD': '{0} 必须是 YYYY-MM-DD 格式的日期',
  '{0} must be a date that exists': '{0} 必须是真实存在的日期',
  'cursor is not a nextCursor of this list': 'cursor 不是此列表返回的 nextCursor',

  // Things the ledger names
  rider: '骑手',
  fund: '积分资金',
  station: '驿站',
  community: '社区',
  principal: '账号',
  selection: '评选',
  task: '任务',
  'point rules': '积分规则',
  badges: '徽章',
  '{0} {1}': '{0} {1}',
  'rider {0}': '骑手 {0}',
  'fund {0}': '积分资金 {0}',
  'station {0}': '驿站 {0}',
  'community {0}': '社区 {0}',
  'street {0}': '街道 {0}',
  'district {0}': '区 {0}',
  'principal {0}': '账号 {0}',
  'selection {0}': '评选 {0}',
  'task {0}': '任务 {0}',
  'hazard {0}': '隐患报告 {0}',
  'award {0}': '奖励 {0}',
  'reversal {0}': '冲正 {0}',
  'redemption {0}': '兑换 {0}',
  'reservation {0}': '预留 {0}',
  'stock reservation {0}': '库存预留 {0}',
  'replay {0}': '重放 {0}',
  'scope {0}': '范围 {0}',
  'award {0} of rider {1}': '骑手 {1} 的奖励 {0}',
  'redemption {0} of rider {1}': '骑手 {1} 的兑换 {0}',
  'item {0} at station {1}': '驿站 {1} 的物品 {0}',
  "rider {0}'s sign-up for task {1}": '骑手 {0} 对任务 {1} 的报名',
  'the completion of task {0} by rider {1}': '骑手 {1} 完成任务 {0} 的记录',

  // Refusals
  '{0} does not exist': '{0} 不存在',
  '{0} already exists': '{0} 已存在',
  '{0} was already used for a different request; use a new idempotency key':
    '{0} 已用于另一个请求，请使用新的幂等键',
  'staff {0} {1} only in their communities, not {2}': '工作人员 {0} 只能在所属社区{1}，不能在 {2}',
  'register riders': '登记骑手',
  'move riders': '转移骑手',
  'publish tasks': '发布任务',
  'award riders': '给骑手加分',
  'reverse awards': '冲正奖励',
  'confirm tasks': '确认任务完成',
  'report hazards': '上报隐患',
  'station principal {0} serves riders of its own districts only, not rider {1}':
    '驿站账号 {0} 只服务本区的骑手，不包括骑手 {1}',
  'a station finds a rider by the whole phone number only': '驿站只能按完整手机号查找骑手',
  'station principal {0} does not serve station {1}': '驿站账号 {0} 不负责驿站 {1}',
  'rider principal {0} acts only as rider {1}': '骑手账号 {0} 只能以骑手 {1} 的身份操作',
  'only a rider principal signs up, as itself': '只有骑手账号能以本人身份报名',
  'a rider reads only its own records': '骑手只能查看自己的记录',
  'staff read only riders of their communities': '工作人员只能查看所属社区的骑手',
  'staff read only tasks of their communities': '工作人员只能查看所属社区的任务',
  'after is not a nextCursor of this stream': 'after 不是这个流上一页给出的 nextCursor',
  'hazard {0} is not in a community of {1}': '隐患报告 {0} 不在 {1} 负责的社区内',
  'bad badge id {0}': '徽章编号 {0} 无效',
  'badge {0} is listed twice': '徽章 {0} 重复列出',
  'badge {0} needs thresholdPoints from 1 to 1,000,000':
    '徽章 {0} 的 thresholdPoints 必须在 1 到 1,000,000 之间',
  'points must be 1-1,000,000': '积分必须在 1 到 1,000,000 之间',
  'points must be an integer from 1 to 1,000,000': '积分必须是 1 到 1,000,000 之间的整数',
  'pricePoints must be 1-1,000,000': 'pricePoints 必须在 1 到 1,000,000 之间',
  'fund {0} has {1} points left; the award needs {2}':
    '积分资金 {0} 只剩 {1} 分，本次奖励需要 {2} 分',
  'the duplicate check ran against an older read model': '查重时读模型尚未更新',
  'hazard {0} was already verified': '隐患报告 {0} 已核实',
  'hazard {0} duplicates an earlier report and earns nothing':
    '隐患报告 {0} 与先前的报告重复，不得分',
  'hazard {0}: too many reports at once; retry': '隐患报告 {0}：同时提交的报告过多，请重试',
  'hazard {0} already exists': '隐患报告 {0} 已存在',
  'a confirmation needs a severity and a fundId': '核实确认需要提供 severity 和 fundId',
  'principal {0} is the bootstrap admin; choose another id': '账号 {0} 是初始管理员，请换一个编号',
  'principal {0} was created with its name in the log, which cannot be erased; revoke it and create another':
    '账号 {0} 创建时名称写入了日志，无法删除；请停用该账号并另建一个',
  'a staff principal needs communityIds': '工作人员账号需要 communityIds',
  'a station principal needs stationIds': '驿站账号需要 stationIds',
  'a rider principal needs riderId': '骑手账号需要 riderId',
  'no point rule for activity {0}': '活动 {0} 没有积分规则',
  'a hazard_report award needs a severity': 'hazard_report 奖励需要提供 severity',
  'the {0} rule sets no points': '{0} 规则没有设定分值',
  "{0} points is more than the {1} rule's {2}; only an admin may":
    '{0} 分超过 {1} 规则的 {2} 分，只有管理员可以这样做',
  'occurredAt is not an ISO-8601 time': 'occurredAt 不是 ISO-8601 时间',
  'occurredAt is not a time': 'occurredAt 不是时间',
  'occurredAt is in the future': 'occurredAt 是将来的时间',
  'occurredAt is more than 90 days ago': 'occurredAt 早于 90 天前',
  'rider {0} has {1} {2} points on that day; the cap is {3}':
    '骑手 {0} 当天的 {2} 积分已有 {1} 分，上限为 {3} 分',
  'award {0} was reversed by {1}': '奖励 {0} 已被 {1} 冲正',
  'reversing {0} points would take the balance of {1} below zero':
    '冲正 {0} 分会使 {1} 的余额低于零',
  'the redemption costs {0} points; the balance is {1}': '本次兑换需要 {0} 分，余额为 {1} 分',
  'redemption {0} was already cancelled': '兑换 {0} 已撤销',
  'unknown activity {0}': '未知活动 {0}',
  'activity {0} has two rules': '活动 {0} 有两条规则',
  'the hazard_report rule needs pointsBySeverity { minor, moderate, major } and no points':
    'hazard_report 规则需要 pointsBySeverity { minor, moderate, major }，且不能设 points',
  'the {0} rule needs points from 1 to 1,000,000': '{0} 规则的分值必须在 1 到 1,000,000 之间',
  'maxPointsPerRiderPerDay of {0} must be from 1 to 1,000,000':
    '{0} 的 maxPointsPerRiderPerDay 必须在 1 到 1,000,000 之间',
  'size must be from 1 to {0}': 'size 必须在 1 到 {0} 之间',
  'selection {0} is already closed': '评选 {0} 已结束',
  'selection {0} does not exist or is not closed': '评选 {0} 不存在或尚未结束',
  'quantity must be from 1 to {0}': '数量必须在 1 到 {0} 之间',
  'a redemption needs at least one item': '兑换至少需要一件物品',
  'quantity of {0} must be ≥ 1': '{0} 的数量必须 ≥ 1',
  'station {0} has {1} of {2}; {3} asked': '驿站 {0} 的 {2} 只有 {1} 件，需要 {3} 件',
  'task {0} opens for sign-up at {1}': '任务 {0} 于 {1} 开放报名',
  'task {0} ended at {1}': '任务 {0} 已于 {1} 结束',
  'all {0} slots of task {1} are taken': '任务 {1} 的 {0} 个名额已满',
  'task {0} is for riders of community {1}, whose staff confirm it':
    '任务 {0} 只面向社区 {1} 的骑手，由该社区工作人员确认完成',
  'rider {0} did not sign up for task {1}': '骑手 {0} 未报名任务 {1}',
  'slots must be an integer from 1 to {0}': '名额必须是 1 到 {0} 之间的整数',
  'startsAt and endsAt must be ISO-8601 times': 'startsAt 和 endsAt 必须是 ISO-8601 时间',
  'a task must end after it starts': '任务的结束时间必须晚于开始时间',
  'there is no point rule for activity task': '活动 task 没有积分规则',
  "a task gives at most the task rule's {0} points; only an admin may give more":
    '任务最多给予任务规则规定的 {0} 分，只有管理员可以给更多',
  'the log does not verify at position {0}: {1}; not sealed':
    '日志在位置 {0} 处校验失败：{1}；未封存',
  'KurrentDB events cannot be changed; a KurrentDB log is verified from its first hashed event':
    'KurrentDB 的事件不可修改；KurrentDB 日志从第一个带哈希的事件开始校验',
  'rider {0} of this district already has this phone number; to move a rider to another community, transfer it':
    '本区的骑手 {0} 已登记此手机号；如需把骑手调到另一个社区，请使用转移',
  '{0} kept changing; {1} retries did not help': '{0} 持续变化，重试 {1} 次仍未成功',
  'principal {0} is revoked; its token cannot be renewed (create another principal)':
    '账号 {0} 已吊销，其令牌不能更换（请另建账号）',
  "the bootstrap admin's token is LEDGER_ADMIN_TOKEN: set a new one, with the old one in LEDGER_ADMIN_TOKEN_PREVIOUS while clients move (docs/operations.md)":
    '初始管理员的令牌即 LEDGER_ADMIN_TOKEN：设置新令牌，并在客户端切换期间把旧令牌放在 LEDGER_ADMIN_TOKEN_PREVIOUS（见 docs/operations.md）',
  'a signed tree head (the log is empty)': '已签名的树头（日志为空）',
  'from and to must be tree sizes with 1 ≤ from ≤ to ≤ {0}':
    'from 和 to 必须是树的大小，且 1 ≤ from ≤ to ≤ {0}',
  'a tree head signed by {0}': '在 {0} 之前签名的树头',
  '{0} must be recorded or occurred': '{0} 只能是 recorded（按记账时间）或 occurred（按发生时间）',
  // Imports of past history (issue 16)
  'rider {0} of row {1}': '第 {1} 行的小哥 {0}',
  'rider {0} is already registered; leave its row out of the file':
    '小哥 {0} 已经登记，请从文件中删去这一行',
  'the phone number of row {0}': '第 {0} 行的手机号',
  'rider {0} already has this phone number': '小哥 {0} 已登记此手机号',
  award: '奖励',
  redemption: '兑换',
  'the same {0} in row {1}': '与第 {1} 行相同的{0}',
  'fund {0} has {1} points left for this award of {2}':
    '资金 {0} 仅剩 {1} 分，不够这笔 {2} 分的奖励',
  'rider {0} is not registered, nor added by an accepted rider row of the file':
    '小哥 {0} 未登记，文件中也没有可导入的该小哥登记行',
  '{0} points do not divide into {1} items of one price': '{0} 分不能平均分给 {1} 件同价物品',
  'the redemption takes {0} points; the balance on that date is {1}':
    '这次兑换要 {0} 分，当日余额只有 {1} 分',
  'the redemption takes {0} points that a later redemption of the rider spends':
    '这次兑换的 {0} 分会让该小哥之后的一次兑换余额不足',
  'kind must be rider, award or redemption (小哥, 奖励, 兑换)':
    '类型必须是 小哥、奖励 或 兑换（rider、award、redemption）',
  '{0} is empty': '{0} 为空',
  '{0} {1} is not an id (letters, digits, _ . -; up to 64)':
    '{0} {1} 不是有效编号（字母、数字、_ . -，最长 64 位）',
  '{0} {1} is not one of {2}': '{0} {1} 不在 {2} 之中',
  '{0} must be a whole number from 1 to 1,000,000, not {1}':
    '{0} 必须是 1 到 1,000,000 的整数，而不是 {1}',
  '{0} {1} is in the future': '{0} {1} 在未来',
  '{0} {1} is before the year 2000': '{0} {1} 早于 2000 年',
  '{0} {1} is not a date (2025-03-14, 2025-03-14 09:30 or 2025年3月14日)':
    '{0} {1} 不是日期（可写作 2025-03-14、2025-03-14 09:30 或 2025年3月14日）',
  'the workbook cannot be read: {0}': '无法读取该工作簿：{0}',
  'the CSV cannot be read: {0}': '无法读取该 CSV：{0}',
  'the first row must name the columns; {0} is missing': '第一行必须是列名；缺少 {0}',
  'the file has {0} rows; split it into files of at most {1}':
    '文件有 {0} 行；请拆分为每个不超过 {1} 行的文件',
  "this file's SHA-256 is {0}, not the {1} confirmed; check this file first":
    '此文件的 SHA-256 是 {0}，不是所确认的 {1}；请先检查此文件',
  '{0} rows of the file are refused; correct them and check the file again':
    '文件中有 {0} 行被拒绝；请改正后重新检查',
  'row {0} was refused while it was written ({1}); the rows written before it stay written: check the file again and confirm it to write the rest':
    '第 {0} 行在写入时被拒绝（{1}）；此前已写入的行保留：请重新检查文件并确认以写入其余的行',
  'rider {0} joined on {1}, after this act': '小哥 {0} 于 {1} 加入，晚于此项记录',
  'period must be a year (2026) or a month (2026-03) from 2000 on, not {0}':
    '期间须为 2000 年以后的某一年（2026）或某一月（2026-03），而不是 {0}',
  '{0} must be YYYY or YYYY-MM': '{0} 须为 YYYY 或 YYYY-MM',
  'check-in {0}': '签到 {0}',
  'close check-ins': '结束签到',
  'open check-ins': '发起签到',
  'opensAt and closesAt must be ISO-8601 times': 'opensAt 和 closesAt 须为 ISO-8601 时间',
  'a check-in must close after it opens': '签到的结束时间须晚于开始时间',
  'a check-in may stay open at most {0} hours': '一次签到最多开放 {0} 小时',
  'closesAt is in the past': 'closesAt 已经过去',
  'minMinutes must be a whole number from 1 to {0}': 'minMinutes 须为 1 到 {0} 之间的整数',
  "a task's check-in names its taskId": '任务签到须写明 taskId',
  "this is not the check-in's code; type the code shown now":
    '这不是本次签到的签到码；请输入现在显示的签到码',
  'the code expired {0} min ago; type the code shown now':
    '签到码已过期 {0} 分钟；请输入现在显示的签到码',
  'the code expired {0} s ago; type the code shown now':
    '签到码已过期 {0} 秒；请输入现在显示的签到码',
  'check-in {0} was closed at {1}': '签到 {0} 已于 {1} 结束',
  'check-in {0} opens at {1}': '签到 {0} 于 {1} 开始',
  'check-in {0} closed at {1}': '签到 {0} 已于 {1} 截止',
  "rider {0}'s check-in at {1}": '小哥 {0} 于 {1} 的签到',
  'check-in {0} is for riders of community {1}': '签到 {0} 只面向社区 {1} 的小哥',
  'rider {0} has not checked in here': '小哥 {0} 还没有在这里签到',
  "rider {0}'s check-out": '小哥 {0} 的签退',
  'this code was used to check in; type the code shown now':
    '这个签到码已用于签到；请输入现在显示的签到码',
  'a stay of {0} min is asked; {1} min since the check-in':
    '须在场 {0} 分钟；签到后才过了 {1} 分钟',
  'Check-in code refused': '签到码无效',
  "a patrol's check-in names its communityId and title": '巡逻签到须写明 communityId 和 title',
  'read check-ins': '查看签到',
  'show check-in codes': '显示签到码',
  'check-in {0} is closed; its code is shown no more': '签到 {0} 已结束，不再显示签到码',
  '{0} must be the 6 digits shown': '{0} 须为显示的 6 位数字',
  "a stay of {0} min does not fit in the check-in's window":
    '须在场 {0} 分钟，超出了签到的开放时段',
  'check-outs of check-in {0} ended at {1}': '签到 {0} 的签退已于 {1} 截止',
  'task {0} runs from {1} to {2}: its check-in opens and closes within that time':
    '任务 {0} 的时间是 {1} 至 {2}：签到须在这段时间内开放和关闭',
  "task {0} pays {1} points, more than the task rule's {2}: confirm its completions instead":
    '任务 {0} 给 {1} 分，高于任务规则的 {2} 分：请由工作人员逐一确认完成',
  'too many wrong codes; try again in {0} min, or ask the staff':
    '签到码错误次数过多；请 {0} 分钟后再试，或联系工作人员',
  'the row has {0} cells but the first row names {1} columns; a cell with a comma needs quotes':
    '此行有 {0} 个单元格，但首行只列出 {1} 列；含逗号的单元格须加引号',
  '{0} must be at most 200 characters': '{0} 最多 200 个字符',
  'import {0}': '导入 {0}',
  'send the file as the body, as text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream':
    '请把文件作为请求体发送，类型为 text/csv、application/vnd.openxmlformats-officedocument.spreadsheetml.sheet 或 application/octet-stream',
  'send the file as text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream':
    '请以 text/csv、application/vnd.openxmlformats-officedocument.spreadsheetml.sheet 或 application/octet-stream 发送文件',
  '{0} must be at most {1} characters': '{0} 最多 {1} 个字符',
  '{0} must be an http or https URL': '{0} 须为 http 或 https 网址',
  'fundThreshold is given with the event fund.below_threshold, and only with it':
    'fundThreshold 须与事件 fund.below_threshold 一同给出，且只与它一同给出',
  'secret must be whsec_ and the base64 of 24 to 64 random bytes':
    'secret 须为 whsec_ 加 24 至 64 个随机字节的 base64',
  'cursor {0} is not one this list gave': 'cursor {0} 不是此列表给出的',
  'webhook endpoint {0}': 'Webhook 端点 {0}',
  'message {0} of webhook endpoint {1}': 'Webhook 端点 {1} 的消息 {0}',
  'webhook endpoint {0} is disabled; register it again': 'Webhook 端点 {0} 已停用；请重新登记',
};
