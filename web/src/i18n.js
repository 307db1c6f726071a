// Interface text in Chinese (default) and English. The choice is kept in
// localStorage (it is not a secret); data (names, codes) is never translated.
const zh = {
  skip: '跳到主要内容', brand: '市场主体风险图谱', explorer: '网络探查', dashboard: '风险看板', logout: '退出',
  loginTitle: '登录', loginHelp: '请输入 API 密钥（riskgraph keys create 生成）。密钥仅保存在本标签页的会话存储中。',
  apiKey: 'API 密钥', login: '登录', loginFailed: '登录失败', roleNoView: '该角色（{role}）没有可用的界面视图。',
  insecure: '不安全开发模式：所有请求以管理员身份处理，无需密钥。切勿对外暴露。',
  masked: '看板角色：自然人姓名已脱敏显示。',
  loading: '加载中…', error: '出错了', retry: '重试', empty: '无数据', none: '无',
  search: '搜索企业名称、统一社会信用代码或人员', searchLabel: '搜索', noHits: '无匹配结果',
  depth: '深度', types: '关系类型', limit: '节点上限', reload: '刷新', fit: '适应画布',
  modeNetwork: '关系网络', modePath: '路径', modeOwnership: '股权穿透',
  pathFrom: '起点', pathTo: '终点', setFrom: '设为起点', setTo: '设为终点', findPath: '查找路径', maxDepth: '最大跳数',
  noPath: '在最大跳数内没有路径', pathsFound: '找到 {n} 条最短路径（{hops} 跳）',
  exportPng: '导出 PNG', exportCsv: '导出 CSV', exportJson: '导出 JSON',
  expand: '展开', showMore: '显示更多（剩余 {n}）', expanded: '已展开，新增 {n} 个节点', allShown: '相邻节点已全部显示',
  nodes: '节点', edges: '关系', truncated: '结果已截断（达到节点上限）',
  start: '输入企业名称或代码开始探查。', selectNode: '点击图中节点查看详情。',
  profile: '基本信息', records: '信用记录', flags: '异常标记', explanation: '评分解释', neighbours: '相邻节点',
  score: '风险分', grade: '等级', status: '状态', region: '地区', industry: '行业', capital: '注册资本', established: '成立日期',
  address: '地址', code: '代码', kind: '类型', authority: '决定机关', decided: '决定日期', amount: '金额', reason: '事由',
  intrinsic: '自身风险', remainder: '其他来源合计', via: '途径', contribution: '贡献',
  owners: '受益所有人（整合持股 ≥ {t}%）', controller: '实际控制人', integrated: '整合持股', direct: '直接持股', cycle: '循环持股',
  ownershipOf: '{name} 的股权穿透', noOwners: '未识别出受益所有人',
  HOLDS_SHARES: '持股', LEGAL_REP_OF: '法定代表人', OFFICER_OF: '任职', BRANCH_OF: '分支机构', HAS_RECORD: '信用记录',
  enterprise: '企业', person: '自然人', record: '记录',
  byRegion: '各地区风险等级分布', byIndustry: '各行业风险等级分布', histogram: '风险分分布', topRisk: '高风险企业',
  flagsFeed: '最新异常标记', latestReport: '最新预警报告', allRegions: '全国', allIndustries: '全部行业', allGrades: '全部等级', allFlags: '全部标记',
  filterName: '在本页中筛选名称', name: '名称', rank: '排名', prev: '上一页', next: '下一页', page: '第 {p} / {n} 页，共 {t} 家',
  drill: '点击省份查看各市', back: '返回全国', count: '数量', noReport: '暂无报告', reportRun: '运行 {run}（对比 {against}）',
  enteredCD: '进入 C/D 级', worsened: '恶化', improved: '好转', newFlags: '新增标记', newRecords: '新增记录', watched: '关注名单变化',
  entities: '主体数', openJson: 'JSON', openCsv: 'CSV', openHtml: 'HTML 报告', filters: '筛选',
  logScale: '对数刻度', canvasKeys: '关系图：方向键在所选节点的相邻节点间移动，回车展开，Home 回到中心节点，+/- 缩放', person_masked: '（已脱敏）', placeholder: '仅由关系得知',
  match: '名单比对', matchTitle: '名单比对：将名称与库内企业比对',
  matchHelp: '每行粘贴一个企业名称；或粘贴带表头的 CSV（列：name、uscc、org_code、reg_no、address、phone、email、legal_rep、region，也可用中文列名如 名称、统一社会信用代码、电话、地址、地区）。每次最多 1 000 行。',
  matchPlaceholder: '吉安汇骏实业有限责任公司\n……', matchInput: '输入', matchSubmit: '比对', matchLimit: '每行候选数',
  matchLines: '{n} 行', matchEmpty: '请先粘贴名称（每行一个）或 CSV。', matchTooMany: '共 {n} 行，超过每次 {max} 行的上限：请拆分后分批比对。',
  matchRunning: '正在比对 {n} 行…', matchDone: '{n} 行：{m} 行确认匹配，{e} 行无候选。', matchNone: '无候选',
  matchUnusable: '无可比对内容（需要名称、代码、电话或邮箱）', matchLine: '行', matchCandidates: '候选企业（按得分）',
  matchScore: '得分（0–1）', matchBadge: '匹配', matchBadgeHelp: '得分 ≥ 0.9 且唯一最佳：可视为同一企业',
  f_name: '名称', f_uscc: '信用代码', f_org_code: '机构代码', f_reg_no: '注册号', f_legal_form: '组织形式', f_region: '地区',
  f_branch: '分支', f_address: '地址', f_phone: '电话', f_email: '邮箱', f_legal_rep: '法定代表人',
  RELATED_TO: '人员关系', legend: '图例', legendGrades: '风险等级（颜色）', gradeMeaningA: '低风险', gradeMeaningB: '关注', gradeMeaningC: '较高风险', gradeMeaningD: '高风险', gradeMeaningNone: '未评级',
  legendShapes: '形状', legendSize: '大小随风险分', legendEdges: '关系（线型）', legendWidth: '持股线宽随比例', line_solid: '实线', line_dashed: '虚线', line_dotted: '点线',
  legendBorders: '边框', border_root: '中心节点', border_owner: '受益所有人', border_endpoint: '路径端点', border_evidence: '突出显示的依据',
  clear: '取消突出显示', highlighted: '已突出显示：{what}（图中 {n} / {m} 个节点）', pathN: '路径 {n}', roles: '任职与关系',
  threshold: '阈值', flagDates: '相关日期', evidence: '依据', showInGraph: '在图中突出显示', andMore: '等另 {n} 个',
  asOf: '数据截至', exported: '导出于', ratio: '持股比例', title: '职务', titleText: '原始职务名称', relation: '关系', since: '起始', until: '终止',
  severity: '严重程度', removed: '移出日期', pid: 'pid', reportLists: '报告明细', newFlag: '新增标记', riser: '风险分上升', newRecord: '新增严重记录', restricted: '限制任职',
  statusLine: '状态', notScored: '尚未评分：下一次评分运行后显示风险分与解释。',
};
const en = {
  skip: 'Skip to content', brand: 'market-entity risk graph', explorer: 'Network explorer', dashboard: 'Risk dashboard', logout: 'Log out',
  loginTitle: 'Log in', loginHelp: 'Enter an API key (made with riskgraph keys create). It is kept in this tab\'s session storage only.',
  apiKey: 'API key', login: 'Log in', loginFailed: 'Login failed', roleNoView: 'This role ({role}) has no views in the UI.',
  insecure: 'Insecure dev mode: every request is served as admin without a key. Never expose this server.',
  masked: 'Dashboard role: persons\' names are masked.',
  loading: 'Loading…', error: 'Something went wrong', retry: 'Retry', empty: 'No data', none: 'none',
  search: 'Search enterprise name, credit code or person', searchLabel: 'Search', noHits: 'No matches',
  depth: 'Depth', types: 'Relationships', limit: 'Node limit', reload: 'Reload', fit: 'Fit',
  modeNetwork: 'Network', modePath: 'Path', modeOwnership: 'Ownership',
  pathFrom: 'From', pathTo: 'To', setFrom: 'Set as start', setTo: 'Set as end', findPath: 'Find path', maxDepth: 'Max hops',
  noPath: 'No path within the maximum hops', pathsFound: '{n} shortest path(s) ({hops} hops)',
  exportPng: 'Export PNG', exportCsv: 'Export CSV', exportJson: 'Export JSON',
  expand: 'Expand', showMore: 'Show more ({n} left)', expanded: 'Expanded: {n} new nodes', allShown: 'All neighbours shown',
  nodes: 'nodes', edges: 'edges', truncated: 'Truncated at the node limit',
  start: 'Type an enterprise name or code to start.', selectNode: 'Click a node to see its details.',
  profile: 'Profile', records: 'Credit records', flags: 'Flags', explanation: 'Score explanation', neighbours: 'Neighbours',
  score: 'Score', grade: 'Grade', status: 'Status', region: 'Region', industry: 'Industry', capital: 'Capital', established: 'Established',
  address: 'Address', code: 'Code', kind: 'Kind', authority: 'Authority', decided: 'Decided', amount: 'Amount', reason: 'Reason',
  intrinsic: 'Own records', remainder: 'Other sources', via: 'Via', contribution: 'Contribution',
  owners: 'Beneficial owners (integrated ≥ {t}%)', controller: 'Actual controller', integrated: 'Integrated', direct: 'Direct', cycle: 'cycle',
  ownershipOf: 'Ownership of {name}', noOwners: 'No beneficial owner identified',
  HOLDS_SHARES: 'Holds shares', LEGAL_REP_OF: 'Legal rep.', OFFICER_OF: 'Officer', BRANCH_OF: 'Branch of', HAS_RECORD: 'Record',
  enterprise: 'Enterprise', person: 'Person', record: 'Record',
  byRegion: 'Grades by region', byIndustry: 'Grades by industry', histogram: 'Score histogram', topRisk: 'Top risk',
  flagsFeed: 'New flags', latestReport: 'Latest early-warning report', allRegions: 'All China', allIndustries: 'All industries', allGrades: 'All grades', allFlags: 'All flags',
  filterName: 'Filter names on this page', name: 'Name', rank: '#', prev: 'Previous', next: 'Next', page: 'Page {p} of {n}, {t} enterprises',
  drill: 'Click a province for its cities', back: 'Back to all China', count: 'Count', noReport: 'No report yet', reportRun: 'Run {run} (against {against})',
  enteredCD: 'Entered C/D', worsened: 'Worsened', improved: 'Improved', newFlags: 'New flags', newRecords: 'New records', watched: 'Watched changed',
  entities: 'Entities', openJson: 'JSON', openCsv: 'CSV', openHtml: 'HTML report', filters: 'Filters',
  logScale: 'log scale', canvasKeys: 'Graph: arrow keys walk through the selected node\'s neighbours, Enter expands, Home returns to the root, +/- zoom', person_masked: '(masked)', placeholder: 'known only from a relationship',
  match: 'Name screening', matchTitle: 'Screen names against the stored enterprises',
  matchHelp: 'Paste one enterprise name per line, or a CSV with a header (columns name, uscc, org_code, reg_no, address, phone, email, legal_rep, region; Chinese headers such as 名称, 统一社会信用代码, 电话, 地址, 地区 work too). At most 1 000 lines per run.',
  matchPlaceholder: '吉安汇骏实业有限责任公司\n…', matchInput: 'Input', matchSubmit: 'Match', matchLimit: 'Candidates per line',
  matchLines: '{n} lines', matchEmpty: 'Paste names (one per line) or a CSV first.', matchTooMany: '{n} lines: more than the {max} a run takes. Split the list and match it in parts.',
  matchRunning: 'Matching {n} lines…', matchDone: '{n} lines: {m} matched, {e} with no candidates.', matchNone: 'no candidates',
  matchUnusable: 'nothing to match by (give a name, code, phone or e-mail)', matchLine: 'Line', matchCandidates: 'Candidates (best first)',
  matchScore: 'Score (0–1)', matchBadge: 'match', matchBadgeHelp: 'Score ≥ 0.9 and the single best: the same enterprise',
  f_name: 'name', f_uscc: 'USCC', f_org_code: 'org code', f_reg_no: 'reg. no', f_legal_form: 'legal form', f_region: 'region',
  f_branch: 'branch', f_address: 'address', f_phone: 'phone', f_email: 'e-mail', f_legal_rep: 'legal rep.',
  RELATED_TO: 'Related persons', legend: 'Legend', legendGrades: 'Risk grade (colour)', gradeMeaningA: 'low risk', gradeMeaningB: 'watch', gradeMeaningC: 'elevated', gradeMeaningD: 'high risk', gradeMeaningNone: 'not graded',
  legendShapes: 'Shapes', legendSize: 'size follows the score', legendEdges: 'Relationships (line)', legendWidth: 'holding width follows the share', line_solid: 'solid', line_dashed: 'dashed', line_dotted: 'dotted',
  legendBorders: 'Borders', border_root: 'centre node', border_owner: 'beneficial owner', border_endpoint: 'path end', border_evidence: 'highlighted evidence',
  clear: 'Clear highlight', highlighted: 'Highlighted: {what} ({n} of {m} nodes in the graph)', pathN: 'Path {n}', roles: 'Roles and relations',
  threshold: 'threshold', flagDates: 'Dates', evidence: 'Evidence', showInGraph: 'Show in graph', andMore: 'and {n} more',
  asOf: 'Data as of', exported: 'exported', ratio: 'Share', title: 'Title', titleText: 'Title as written', relation: 'Relation', since: 'Since', until: 'Until',
  severity: 'Severity', removed: 'Removed', pid: 'pid', reportLists: 'Report details', newFlag: 'New flag', riser: 'Score rose', newRecord: 'New serious record', restricted: 'Restricted appointment',
  statusLine: 'Status', notScored: 'Not scored yet: the score and its explanation come with the next scoring run.',
};
const dicts = { zh, en };
let lang = localStorage.getItem('rg.lang') === 'en' ? 'en' : 'zh';

export function getLang() { return lang; }
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  localStorage.setItem('rg.lang', lang);
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
}
export function t(key, vars) {
  let s = dicts[lang][key] ?? zh[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll('{' + k + '}', String(v));
  return s;
}
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-ph]')) el.placeholder = t(el.dataset.i18nPh);
  for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}
document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';

// Names of record kinds and anomaly flags (codes from the API; unknown codes show as they are).
const terms = {
  administrative_penalty: ['行政处罚', 'Administrative penalty'], abnormal_operations: ['经营异常', 'Abnormal operations'],
  serious_violation: ['严重违法失信', 'Serious violation'], blacklist: ['黑名单', 'Blacklist'],
  dishonest_debtor: ['失信被执行人', 'Dishonest debtor'], tax_violation: ['重大税收违法', 'Tax violation'],
  circular_holding: ['循环持股', 'Circular holding'], mutual_holding: ['相互持股', 'Mutual holding'],
  shell_cluster: ['疑似空壳集群', 'Shell cluster'], serial_legal_rep: ['职业法人', 'Serial legal rep.'],
  registration_burst: ['短期集中注册', 'Registration burst'], restricted_appointment: ['限制任职', 'Restricted appointment'],
  blacklist_proximity: ['临近黑名单', 'Blacklist proximity'], deep_layering: ['多层嵌套持股', 'Deep layering'],
  shared_address: ['共用地址', 'Shared address'],
};
export function term(code) {
  const e = terms[code];
  return e ? e[lang === 'en' ? 1 : 0] : code;
}
