// Words of the UI in Chinese (the default) and English, the labels of the codes the API
// speaks (states, severities, channels, roles, fields), and dates shown in the deployment's
// time zone (Asia/Shanghai unless the preset says otherwise) whatever the browser's zone.
const LANG_KEY = 'kesu.lang';
let current = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
let zone = 'Asia/Shanghai';

export function lang() { return current; }
export function setLang(l) {
  current = l === 'en' ? 'en' : 'zh';
  localStorage.setItem(LANG_KEY, current);
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
}
export function setZone(z) { if (z) zone = z; }
export function timeZone() { return zone; }

const words = {
  app: ['客诉处理', 'Complaints'],
  login: ['登录', 'Log in'], logout: ['退出', 'Log out'], login_name: ['账号', 'Login'],
  password: ['密码', 'Password'], logging_in: ['正在登录…', 'Logging in…'],
  dashboard: ['工作台', 'Dashboard'], intake: ['登记', 'Register'], list: ['投诉列表', 'Complaints'],
  report: ['报表', 'Report'],
  admin: ['管理', 'Admin'], users: ['用户', 'Users'], departments: ['部门', 'Departments'],
  preset: ['预案', 'Preset'], language: ['English', '中文'],
  my_open: ['我的待办', 'My open complaints'], due_today: ['今日到期', 'Due today'],
  due_soon: ['即将到期（3 天内）', 'Due within 3 days'], overdue: ['已超期', 'Overdue'],
  awaiting_approval: ['待我审批', 'Awaiting my approval'], none: ['暂无', 'None'],
  loading: ['加载中…', 'Loading…'], saving: ['正在保存…', 'Saving…'], saved: ['已保存', 'Saved'],
  refused: ['操作被拒绝', 'Refused'], field_at_fault: ['字段', 'field'],
  network_error: ['无法连接服务器', 'Cannot reach the server'],
  number: ['编号', 'Number'], received_at: ['受理时间', 'Received'], title: ['标题', 'Title'],
  customer: ['客户', 'Customer'], severity: ['程度', 'Severity'], status: ['状态', 'Status'],
  assignee: ['处理人', 'Assignee'], category: ['分类', 'Category'], channel: ['渠道', 'Channel'],
  department: ['部门', 'Department'], search: ['全文检索', 'Full-text search'],
  query: ['查询', 'Search'], reset: ['清空', 'Clear'], save_view: ['保存视图', 'Save view'],
  views: ['已保存的视图', 'Saved views'], view_name: ['视图名称', 'View name'],
  delete_view: ['删除视图', 'Delete view'], export_csv: ['导出 CSV', 'Export CSV'],
  more: ['加载更多', 'Load more'], open_only: ['仅未结', 'Open only'], only_overdue: ['仅超期', 'Overdue only'],
  received_from: ['受理起', 'Received from'], received_to: ['受理止', 'Received before'],
  sort: ['排序', 'Sort'], sort_received_desc: ['最新受理', 'Newest first'],
  sort_received_asc: ['最早受理', 'Oldest first'], sort_due_asc: ['最紧迫', 'Most urgent'],
  any: ['（全部）', '(any)'], auto: ['（自动判定）', '(judge automatically)'],
  count_rows: ['共 {0} 件', '{0} complaints'], exported: ['已导出 {0} 行', 'Exported {0} rows'],
  register: ['登记', 'Register'], registering: ['正在登记…', 'Registering…'],
  registered: ['已登记 {0}', 'Registered {0}'], intake_hint: ['全程可用键盘：Tab 下一项，Ctrl+Enter 提交。', 'Keyboard only: Tab to move, Ctrl+Enter to submit.'],
  suggestion: ['系统判定（随输入更新）', 'Suggested (live)'], reasons: ['判定理由', 'Reasons'],
  urgent: ['紧急', 'Urgent'], response_level: ['响应等级', 'Response level'], guidance: ['处置要求', 'Guidance'],
  repeat_warning: ['重复投诉提醒：该客户本月已投诉 {0} 次', 'Repeat: this customer complained {0} time(s) this month'],
  same_problem: ['同一问题', 'same problem'],
  type_to_suggest: ['输入标题或描述后显示判定', 'Type a title or description to see a suggestion'],
  fields: ['详细信息', 'Details'], deadlines: ['各阶段期限', 'Stage deadlines'],
  timeline: ['处理记录', 'Timeline'], actions: ['可执行的操作', 'Actions'],
  no_actions: ['当前状态下您没有可执行的操作', 'No action is open to you in this state'],
  comments: ['备注', 'Comments'], add_comment: ['添加备注', 'Add comment'],
  handover: ['移交', 'Hand over'], handover_to: ['移交给', 'Hand over to'],
  override: ['修正判定', 'Override'], override_reason: ['修正理由', 'Reason'],
  stage: ['阶段', 'Stage'], period: ['时限', 'Period'], due_at: ['到期时间', 'Due'],
  time_left: ['剩余', 'Time left'], met_at: ['完成时间', 'Met'], breached: ['超期', 'Breached'],
  left: ['剩 {0}', '{0} left'], late_by: ['已超期 {0}', 'late by {0}'], done: ['已完成', 'done'],
  paused: ['已暂停', 'paused'], days: ['{0} 天', '{0} d'], hours: ['{0} 小时', '{0} h'], minutes: ['{0} 分钟', '{0} min'],
  note: ['说明', 'Note'], note_required: ['说明（必填）', 'Note (required)'], submit: ['提交', 'Submit'],
  cancel: ['取消', 'Cancel'], survey_link: ['满意度调查链接', 'Survey link'],
  reveal_personal: ['显示客户信息', 'Show customer contact'],
  reveal_note: ['客户电话和邮箱已打码；查看明文会记入审计记录。', 'Phone and e-mail are masked; showing them is recorded in the audit trail.'],
  get_survey_link: ['生成调查链接', 'Get survey link'], insert_survey_link: ['插入调查链接', 'Insert survey link'],
  dirty_confirm: ['有未保存的内容，确定离开？', 'You have unsaved input. Leave anyway?'],
  drafts_restored: ['登录已恢复，之前未保存的输入已填回。', 'Logged in again; your unsaved input is back.'],
  role: ['角色', 'Role'], name: ['姓名', 'Name'], phone: ['电话', 'Phone'], email: ['邮箱', 'E-mail'],
  disabled: ['已停用', 'Disabled'], add_user: ['新增用户', 'Add user'], disable: ['停用', 'Disable'], enable: ['启用', 'Enable'],
  code: ['代码', 'Code'], parent: ['上级部门', 'Parent'], head: ['负责人', 'Head'], add_department: ['新增部门', 'Add department'],
  preset_text: ['预案内容（YAML）', 'Preset text (YAML)'], preset_file: ['从文件读取', 'Read from a file'],
  preset_new_version: ['校验或上传新版本', 'Validate or upload a new version'],
  preset_upload_help: ['在下面修改预案，或选择 .yaml 文件；先“校验”，通过后才能“上传为新版本”，上传后立即生效（旧版本保留在数据库中）。格式见 docs/presets.md。', 'Edit the preset below or pick a .yaml file; validate it first, then upload it as the new version, which takes effect at once (older versions stay in the database). The format is in docs/presets.md.'],
  preset_validate_help: ['可以校验预案文本；只有管理员能上传新版本。', 'You can validate a preset text; only an admin can upload a new version.'],
  version_note: ['版本说明（可选）', 'Version note (optional)'],
  preset_version: ['版本', 'Version'], preset_version_n: ['第 {0} 版', 'version {0}'],
  validate: ['校验', 'Validate'], validating: ['正在校验…', 'Validating…'], upload_version: ['上传为新版本', 'Upload as new version'],
  preset_valid: ['校验通过，将替换第 {0} 版：', 'Valid; it would replace version {0}:'],
  preset_valid_short: ['预案校验通过', 'The preset is valid'],
  preset_summary: ['“{0}”，分类 {1} 个（关键词 {2} 个），产品 {3} 类，不良项目 {4} 个，时限规则 {5} 条，满意度 ≤ {6} 分视为不满意。', '"{0}": {1} categories ({2} keywords), {3} product families, {4} defects, {5} time limits, dissatisfied at a score of {6} or less.'],
  preset_error_line: ['第 {0} 行：{1}', 'Line {0}: {1}'],
  preset_uploaded: ['已上传，第 {0} 版预案已生效', 'Uploaded; preset version {0} is in force'],
  timezone: ['时区', 'Time zone'], categories: ['分类', 'Categories'],
  progress_title: ['投诉进度查询', 'Complaint progress'], phone_tail: ['手机号后 4 位', 'Last 4 digits of the phone'],
  lookup: ['查询', 'Look up'], expected_by: ['预计答复时间', 'Expected answer by'],
  current_stage: ['当前进度', 'Current stage'], updated_at: ['更新时间', 'Updated'],
  survey_title: ['满意度调查', 'Satisfaction survey'], survey_question: ['您对本次投诉的处理结果满意吗？', 'How satisfied are you with how we handled your complaint?'],
  survey_comment: ['意见或建议（可选）', 'Comments (optional)'], survey_thanks: ['感谢您的评价！', 'Thank you for your answer!'],
  survey_reopened: ['很抱歉处理结果未能让您满意，我们已重新调查，并会尽快与您联系。', 'We are sorry. Your complaint has been reopened and we will contact you soon.'],
  survey_closed: ['本调查已填写或暂不开放，感谢您的关注。', 'This survey has been answered or is not open. Thank you.'],
  our_reply: ['我们的答复', 'Our reply'], score_labels: ['1 非常不满意|2 不满意|3 一般|4 满意|5 非常满意', '1 very dissatisfied|2 dissatisfied|3 neutral|4 satisfied|5 very satisfied'],
  not_found: ['未找到', 'Not found'], back: ['返回', 'Back'],
  refused_reason: ['服务器拒绝了此操作：{0}', 'The server refused: {0}'],
  version_conflict: ['版本已过期：别人刚修改过，请刷新后重试。', 'Stale version: someone else changed it; reload and retry.'],
  reload: ['刷新', 'Reload'], required: ['必填', 'required'],
  satisfaction_score: ['满意度评分', 'Satisfaction score'], waived_reason: ['免于回访理由', 'Reason to waive the survey'],
  welcome: ['您好，{0}', 'Hello, {0}'],
};

export function t(key, ...args) {
  const w = words[key];
  let s = w ? w[current === 'zh' ? 0 : 1] : key;
  args.forEach((a, i) => { s = s.replace('{' + i + '}', String(a)); });
  return s;
}

const labels = {
  state: {
    new: ['待受理', 'New'], accepted: ['已受理', 'Accepted'], assigned: ['已分派', 'Assigned'],
    investigating: ['调查中', 'Investigating'], proposed: ['方案待审批', 'Plan proposed'],
    resolving: ['处理中', 'Resolving'], replied: ['已反馈', 'Replied'], follow_up: ['跟踪改进', 'Follow-up'],
    closed: ['已结案', 'Closed'], rejected: ['不予受理', 'Rejected'], withdrawn: ['撤诉', 'Withdrawn'],
    merged: ['已合并', 'Merged'],
  },
  severity: { general: ['一般', 'General'], batch: ['批量', 'Batch'], serious: ['严重', 'Serious'] },
  channel: {
    phone: ['电话', 'Phone'], email: ['邮件', 'E-mail'], sms: ['短信', 'SMS'], wechat: ['微信', 'WeChat'],
    web: ['网站', 'Web'], letter: ['信函', 'Letter'], onsite: ['现场', 'Walk-in'],
    regulator: ['监管转办', 'Regulator'], social: ['社交媒体', 'Social media'], api: ['接口', 'API'],
  },
  role: {
    admin: ['管理员', 'Admin'], leader: ['组长', 'Leader'], handler: ['处理人', 'Handler'],
    intake: ['接待员', 'Intake'], viewer: ['只读', 'Viewer'],
  },
  event: {
    accept: ['受理', 'Accept'], assign: ['分派', 'Assign'], investigate: ['开始调查', 'Start investigation'],
    propose: ['提交方案', 'Propose a plan'], send_back: ['退回方案', 'Send the plan back'],
    approve: ['批准方案', 'Approve the plan'], reply: ['答复客户', 'Reply to the customer'],
    follow_up: ['跟踪改进', 'Follow up'], close: ['结案', 'Close'], reopen: ['重新打开', 'Reopen'],
    reject: ['不予受理', 'Reject'], withdraw: ['撤诉', 'Withdraw'], merge: ['合并', 'Merge'],
  },
  kind: {
    created: ['登记', 'Registered'], transition: ['流转', 'Moved'], edit: ['修改', 'Edited'],
    comment: ['备注', 'Comment'], handover: ['移交', 'Handed over'], classified: ['系统判定', 'Judged'],
    override: ['人工修正判定', 'Judgement corrected'], deadline: ['期限', 'Deadline'],
    emergency: ['应急响应', 'Emergency'], message: ['通知客户', 'Message'], escalation: ['升级', 'Escalation'],
    warning: ['期限预警', 'Deadline warning'],
  },
  field: {
    number: ['编号', 'Number'], received_at: ['受理时间', 'Received'], channel: ['渠道', 'Channel'],
    customer_name: ['客户姓名', 'Customer name'], customer_phone: ['客户电话', 'Customer phone'],
    customer_email: ['客户邮箱', 'Customer e-mail'], customer_org: ['客户单位', 'Customer organisation'],
    customer_code: ['客户代码', 'Customer code'], product: ['产品', 'Product'], model: ['型号', 'Model'],
    batch_no: ['批号', 'Batch'], order_no: ['订单号', 'Order'], delivered: ['交货数量', 'Delivered'],
    defective: ['不良数量', 'Defective'], title: ['标题', 'Title'], description: ['投诉内容', 'Description'],
    category: ['分类', 'Category'], defect: ['不良项目', 'Defect'], severity: ['程度', 'Severity'],
    urgent: ['紧急', 'Urgent'], response_level: ['响应等级', 'Response level'], status: ['状态', 'Status'],
    first_responder: ['首问责任人', 'First responder'], assignee: ['处理人', 'Assignee'],
    department: ['部门', 'Department'], 'responsibility.party': ['责任方', 'Responsible party'],
    'responsibility.department': ['责任部门', 'Responsible department'],
    'responsibility.root_cause': ['根本原因', 'Root cause'], plan: ['处理方案', 'Plan'],
    'approval.by': ['审批人', 'Approved by'], 'approval.at': ['审批时间', 'Approved at'],
    'approval.note': ['审批意见', 'Approval note'], reply: ['答复内容', 'Reply'],
    'compensation.amount': ['赔偿金额（元）', 'Compensation (yuan)'], 'compensation.kind': ['赔偿方式', 'Compensation kind'],
    'compensation.agreement': ['调解协议', 'Agreement'], 'satisfaction.score': ['满意度评分', 'Satisfaction score'],
    'satisfaction.comment': ['客户评价', 'Customer comment'], 'satisfaction.waived_reason': ['免于回访理由', 'Survey waived because'],
    duplicate_of: ['合并到', 'Duplicate of'], related: ['相关投诉', 'Related'], incident: ['应急事件', 'Incident'],
    created_at: ['创建时间', 'Created'], updated_at: ['更新时间', 'Updated'], version: ['版本', 'Version'],
  },
};

export function label(kind, code) {
  if (code === null || code === undefined || code === '') return '';
  const l = labels[kind] && labels[kind][code];
  return l ? l[current === 'zh' ? 0 : 1] : String(code);
}
export function codes(kind) { return Object.keys(labels[kind]); }

// "2026-11-29 11:36" in the deployment's zone.
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// The deployment's calendar date of an instant, as "YYYY-MM-DD".
export function localDate(d) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

// The zone's UTC offset as "+08:00" at instant d (the China zones have no summer time).
export function zoneOffset(d = new Date()) {
  const s = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(d).find((x) => x.type === 'timeZoneName').value;
  const m = /GMT([+-]\d\d:\d\d)/.exec(s);
  return m ? m[1] : '+00:00';
}

// A preset period as the server writes it ("24 hours", "10 workdays", "30 days").
export function fmtPeriod(p) {
  const m = /^(\d+) (hours?|workdays?|days?|minutes?)$/.exec(p || '');
  if (!m) return p || '';
  const zh = { hour: ' 小时', workday: ' 个工作日', day: ' 天', minute: ' 分钟' };
  const en = { hour: ' h', workday: ' working days', day: ' days', minute: ' min' };
  const unit = m[2].replace(/s$/, '');
  return m[1] + (current === 'zh' ? zh : en)[unit];
}

// A duration in ms as "2 天 3 小时" / "5 小时 10 分钟".
export function fmtDuration(ms) {
  const min = Math.floor(Math.abs(ms) / 60000);
  const d = Math.floor(min / 1440), hh = Math.floor((min % 1440) / 60), mm = min % 60;
  if (d > 0) return t('days', d) + (hh ? ' ' + t('hours', hh) : '');
  if (hh > 0) return t('hours', hh) + (mm ? ' ' + t('minutes', mm) : '');
  return t('minutes', mm);
}
